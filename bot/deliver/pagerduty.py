"""Deliver PagerDuty events (outbox kind ``pagerduty``) to the Events API v2, with requests.

Not the ``pagerduty`` PyPI client: 7.x sends with httpx2 (a second HTTP stack beside requests),
refuses a plain-http base URL (the tests' local receiver), retries 429 without limit on the calling
thread and 5xx itself; the outbox already retries, across restarts and failovers, in order.

PagerDuty's answers (its Events API v2 overview): 202 accepted; 400 the event is invalid, never
retried (the item is dead, with one log line quoting PagerDuty's message); 429 rate limited and
5xx, or no answer: retried with the outbox's backoff (or ``Retry-After``). One warning per outage,
one line when PagerDuty answers again. The routing key is added to the body here, from the
settings, so it is never stored; no message quotes it (PagerDuty's own text is scrubbed of it).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from bot.config.pagerduty import problems
from bot.deliver.outcomes import Dead, Retry
from bot.deliver.webhook import encode, make_session, retry_after, timed_out
from bot.render.mrkdwn import clean, clip
from bot.settings import Settings
from bot.store.base import Outbox, OutboxItem

log = logging.getLogger(__name__)

MESSAGE_MAX = 300  # characters of PagerDuty's error text quoted in the log and the outbox
OnEvent = Callable[[str, str], None]  # (event_action, outcome): outcome accepted | retried | rejected


class PagerDutySender:
    """The Deliverer's sender for ``pagerduty`` items (``Deliverer(senders={"pagerduty": …})``)."""

    def __init__(self, settings: Settings, store: Outbox, *, on_event: OnEvent | None = None) -> None:
        for problem in problems(settings):  # said once at start-up; doctor says it too
            log.warning("%s: PagerDuty will refuse its events; check the integration key", problem)
        self.settings = settings
        self.store = store
        self.on_event = on_event
        self._targets = {t.name: t for t in settings.targets}
        self._session: requests.Session | None = None
        self._down_since: float | None = None  # monotonic time of the outage's first failure

    def __call__(self, item: OutboxItem) -> dict[str, Any]:
        event = dict(item.payload["event"])
        action = str(event.get("event_action"))
        key = self._routing_key(str(item.payload.get("target")))
        if event["event_action"] == "trigger":
            event["links"] = [*self._slack_link(item.payload), *event.get("links", [])]
        try:
            status, answer = self._post(encode({"routing_key": key, **event}), key)
        except Retry:
            self._count(action, "retried")
            raise
        except Dead:
            self._count(action, "rejected")
            raise
        self._count(action, "accepted")
        self._back_up()
        return {"status": status, "dedup_key": answer.get("dedup_key")}

    def _routing_key(self, target: str) -> str:
        known = self._targets.get(target)
        key = self.settings.routing_key_for(known) if known else None
        if not key:
            raise Dead(f"no PagerDuty routing key applies to target {target!r} any more")
        return key.reveal()

    def _slack_link(self, payload: dict[str, Any]) -> list[dict[str, str]]:
        """The Slack alert: its message once posted, else its channel; nothing without either."""
        channel = payload.get("channel")
        if not channel:
            return []
        post = self.store.find_item(payload["post_key"]) if payload.get("post_key") else None
        if post is not None and post.status == "sent" and post.result and post.result.get("ts"):
            ts = str(post.result["ts"]).replace(".", "")
            return [{"href": f"https://slack.com/archives/{channel}/p{ts}", "text": "Alert in Slack"}]
        return [
            {"href": f"https://slack.com/app_redirect?channel={channel}", "text": "Alert channel in Slack"}
        ]

    def _post(self, body: bytes, key: str) -> tuple[int, dict[str, Any]]:
        if self._session is None:
            self._session = make_session(retries=0)  # the outbox retries, across restarts
        settings = self.settings.pagerduty
        headers = {"Content-Type": "application/json"}
        try:
            response = self._session.post(settings.url, data=body, headers=headers, timeout=settings.timeout)
        except requests.RequestException as exc:
            why = f"no answer within {settings.timeout:g}s" if timed_out(exc) else type(exc).__name__
            raise self._outage(f"PagerDuty unreachable ({why})") from None
        answer = _json(response)
        status = response.status_code
        if 200 <= status < 300:
            return status, answer
        message = _message(answer, response.text, key)
        if status == 429:
            after = retry_after(response.headers.get("Retry-After"))
            raise self._outage(f"PagerDuty rate limit (HTTP 429): {message}", after=after)
        if status >= 500 or status == 408:
            raise self._outage(f"PagerDuty answered HTTP {status}: {message}")
        self._back_up()
        raise Dead(f"PagerDuty refused the event (HTTP {status}): {message}")

    def _outage(self, what: str, *, after: float | None = None) -> Retry:
        """One warning when the outage starts; the outbox logs each retry at debug level."""
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("%s; pages wait in the outbox and go out in order when it answers", what)
        return Retry(what, after=after, quiet=True)

    def _back_up(self) -> None:
        if self._down_since is not None:
            log.info(
                "PagerDuty answers again after %.0fs; queued pages are being sent",
                time.monotonic() - self._down_since,
            )
            self._down_since = None

    def _count(self, action: str, outcome: str) -> None:
        if self.on_event is not None:
            self.on_event(action, outcome)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _message(answer: dict[str, Any], text: str, key: str) -> str:
    """PagerDuty's ``message`` and ``errors``, or the start of its body; never the routing key."""
    parts = [str(answer.get("message") or "")]
    errors = answer.get("errors")
    if isinstance(errors, list):
        parts += [str(e) for e in errors]
    said = "; ".join(p for p in parts if p) or json.dumps(text[:MESSAGE_MAX])
    return clip(clean(said.replace(key, "********")), MESSAGE_MAX)
