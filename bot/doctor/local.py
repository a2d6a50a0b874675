"""The webhook receiver's reachability (the store's check is in :mod:`bot.doctor.store`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from bot.doctor import Check, Status, fail, ok
from bot.settings import WebhookSettings

WEBHOOK_TIMEOUT = 10.0
NOT_IMPLEMENTED = 501


def check_webhook(webhook: WebhookSettings) -> Check:
    """A ``HEAD`` request: any HTTP answer below 500 (or 501, "no HEAD here") means someone is listening.

    Only the scheme and host are printed: the path or query of a webhook URL often holds a token.
    """
    name = "webhook"
    if not webhook.url:
        return Check(name, Status.SKIP, "no webhook URL configured ([webhook] url or DMS_BOT_WEBHOOK_URL)")
    url = webhook.url.reveal()
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    timeout = min(webhook.timeout, WEBHOOK_TIMEOUT)
    reach = "check that the receiver is up and reachable from here (DNS, firewall, proxy)"
    try:
        response = requests.head(url, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return fail(name, f"{where} did not answer within {timeout:g}s", reach)
    except requests.ConnectionError:
        return fail(name, f"cannot connect to {where}", reach)
    except requests.RequestException as exc:
        return fail(name, f"{where}: {type(exc).__name__}", "check [webhook] url")
    status = response.status_code
    if status >= 500 and status != NOT_IMPLEMENTED:  # 501: up, but does not do HEAD
        return fail(name, f"{where} answered HTTP {status}", "the receiver is failing: check its logs")
    return ok(name, f"{where} reachable (HEAD answered HTTP {status})")
