"""A real local stand-in for PagerDuty's Events API v2 (``POST /v2/enqueue``).

It checks what PagerDuty documents (a 32-character routing key, an event_action, a trigger's
summary/source/severity, dedup_key ≤ 255, summary ≤ 1024) and answers 202 with the dedup_key, or
400 with PagerDuty's error shape; ``script()`` makes the next answers 429 / 5xx / 400 / a reset
connection as a test tells it. Every request is kept, in arrival order, with what it was answered.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.support.fakes._server import BackgroundHTTPServer, Incoming, Reply

PATH = "/v2/enqueue"
ROUTING_KEY = "0123456789abcdef0123456789abcdef"  # 32 characters, as PagerDuty's keys are
ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")


@dataclass(frozen=True)
class Event:
    """One POST: its parsed JSON body and the status it was answered with (None: reset)."""

    body: dict[str, Any]
    status: int | None

    @property
    def action(self) -> str:
        return str(self.body.get("event_action"))

    @property
    def dedup_key(self) -> str:
        return str(self.body.get("dedup_key"))


class FakePagerDuty(BackgroundHTTPServer):
    """``url`` is the enqueue endpoint to set as ``DMS_BOT_PAGERDUTY_URL``."""

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self._script: deque[int | None] = deque()
        self._events: list[Event] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}{PATH}"

    def script(self, answers: Iterable[int | None]) -> None:
        """The next answers, in order: an HTTP status, or None to reset the connection."""
        with self._cond:
            self._script.extend(answers)

    def clear_script(self) -> None:
        """Back to answering as PagerDuty would."""
        with self._cond:
            self._script.clear()

    def handle(self, request: Incoming) -> Reply:
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        with self._cond:
            scripted = self._script.popleft() if self._script else 0
        if scripted is None:
            reply = Reply(reset=True)
        elif request.method != "POST" or request.path != PATH:
            reply = Reply.json({"status": "not found"}, 404)
        elif scripted:
            reply = _scripted(scripted)
        else:
            reply = _answer(body)
        with self._cond:
            parsed = body if isinstance(body, dict) else {"raw": request.body.decode(errors="replace")}
            self._events.append(Event(parsed, None if reply.reset else reply.status))
            self._cond.notify_all()
        return reply

    def events(self) -> list[Event]:
        with self._cond:
            return list(self._events)

    def accepted(self) -> list[Event]:
        return [e for e in self.events() if e.status == 202]

    def wait_for(self, count: int, timeout: float = 10.0, *, accepted: bool = True) -> list[Event]:
        """Block until ``count`` events (accepted ones, by default) arrived; AssertionError after."""
        pick = self.accepted if accepted else self.events
        with self._cond:
            if self._cond.wait_for(lambda: len(pick()) >= count, timeout=timeout):
                return pick()
        got = [(e.action, e.status) for e in self.events()]
        raise AssertionError(f"expected {count} events within {timeout}s; got {got}")


def _scripted(status: int) -> Reply:
    if status == 400:
        return _invalid(["Scripted refusal"])
    if status == 429:
        return Reply.json(
            {"status": "throttle event", "message": "Requests for this service are arriving too quickly."},
            429,
        )
    return Reply.json({"status": "error", "message": "Internal error"}, status)


def _answer(body: Any) -> Reply:
    errors = _problems(body) if isinstance(body, dict) else ["Event object is not JSON"]
    if errors:
        return _invalid(errors)
    return Reply.json(
        {"status": "success", "message": "Event processed", "dedup_key": body["dedup_key"]}, 202
    )


def _invalid(errors: list[str]) -> Reply:
    return Reply.json(
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors}, 400
    )


def _problems(body: dict[str, Any]) -> list[str]:
    found = []
    if len(str(body.get("routing_key", ""))) != 32:
        found.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    if body.get("event_action") not in ACTIONS:
        found.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
    if not body.get("dedup_key") or len(str(body["dedup_key"])) > 255:
        found.append("'dedup_key' is missing or longer than 255 characters")
    if body.get("event_action") == "trigger":
        payload = body.get("payload") or {}
        if not payload.get("summary") or len(payload["summary"]) > 1024 or not payload.get("source"):
            found.append("'payload.summary' and 'payload.source' are required (summary at most 1024)")
        if payload.get("severity") not in SEVERITIES:
            found.append("'payload.severity' is invalid")
    return found
