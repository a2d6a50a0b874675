"""POST the report document to the configured HTTP API.

Retries (connection errors and 5xx, with exponential backoff, honouring Retry-After) are urllib3's
``Retry`` mounted on a requests session; 4xx is never retried. Errors name only the URL's host,
because webhook URLs often carry a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from bot import __version__
from bot.errors import WebhookError

SIGNATURE_HEADER = "X-DMS-Bot-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def redact_url(url: str) -> str:
    """``https://hooks.example.com/…``: enough to recognise, nothing secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{':' + str(parts.port) if parts.port else ''}/…"


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``, the value of X-DMS-Bot-Signature."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def make_session(*, retries: int, backoff: float = 0.5) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        backoff_factor=backoff,
        backoff_max=30,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"dms-validation-bot/{__version__}"
    return session


def post_json(
    url: str,
    body: bytes,
    *,
    timeout: float,
    session: requests.Session,
    signing_secret: str | None = None,
    idempotency_key: str | None = None,
) -> int:
    """POST ``body``; returns the HTTP status. Raises WebhookError on any failure."""
    headers = {"Content-Type": "application/json"}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    if signing_secret:
        headers[SIGNATURE_HEADER] = sign(body, signing_secret)
    where = redact_url(url)
    try:
        response = session.post(url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        if timed_out(exc):
            raise WebhookError(f"webhook {where} did not answer within {timeout:g}s") from None
        reason = type(exc).__name__
        raise WebhookError(f"webhook {where} unreachable ({reason})") from None
    if response.status_code >= 400:
        raise WebhookError(
            f"webhook {where} answered HTTP {response.status_code} {response.reason or ''}".rstrip(),
            status=response.status_code,
            retry_after=retry_after(response.headers.get("Retry-After")),
        )
    return response.status_code


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the delta-seconds form; an HTTP date is treated as absent)."""
    try:
        return max(0.0, min(float(value), 3600.0)) if value else None
    except ValueError:
        return None


def timed_out(exc: requests.RequestException) -> bool:
    """requests reports a timeout that exhausted urllib3's retries as a ConnectionError."""
    if isinstance(exc, requests.Timeout):
        return True
    cause = exc.args[0] if exc.args else None
    # urllib3's NewConnectionError (refused, no route) subclasses its timeout error: not a timeout.
    return (
        isinstance(cause, MaxRetryError)
        and isinstance(cause.reason, Urllib3Timeout)
        and not isinstance(cause.reason, NewConnectionError)
    )


def post_report(
    url: str,
    document: dict[str, Any],
    *,
    timeout: float = 10.0,
    retries: int = 3,
    signing_secret: str | None = None,
    session: requests.Session | None = None,
) -> int:
    """Deliver one report document (the ``check`` command's notification)."""
    with session or make_session(retries=retries) as http:
        return post_json(url, encode(document), timeout=timeout, session=http, signing_secret=signing_secret)
