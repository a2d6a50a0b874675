"""Slack requests in flight when the bot stops: each one finishes within the shutdown deadline, or
its user is told "the bot is restarting; try again in a minute". None is dropped silently, and no
work is handed to the listener thread pool once it may have been shut down.

- ``admit`` (a Bolt middleware, first after the signature check and the replay guard): once
  :meth:`InFlight.close` was called, a slash command is answered in its acknowledgement, a click
  through its ``response_url``, an Events API event with HTTP 503 (Slack delivers it again later,
  and it was not recorded as handled); none reaches a listener. Before that, the request is
  admitted: :meth:`dispatch` counts it until Bolt has handed its work to the pool.
- ``track`` (a Bolt middleware, last): the interaction an admitted request starts is remembered by
  its ``trigger_id`` (``event_id`` for events) with its ``response_url`` until its lazy listener,
  run through :meth:`InFlight.run`, returns.
- At the deadline, :meth:`expire` answers every interaction still remembered with the restarting
  message; a listener that answers later is silenced, one that had not started yet does nothing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse, Respond
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.render.help import RESTARTING, restarting_message

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 5.0
_ADMITTED = "dms_bot_admitted"
Next = Callable[[], BoltResponse]


def _key(body: dict[str, Any]) -> str | None:
    key = body.get("trigger_id") or body.get("event_id")
    return key if isinstance(key, str) and key else None


def answer_restarting(response_url: object) -> bool:
    """Tell the user through ``response_url`` (ephemeral); False, and one log line, if that failed."""
    if not isinstance(response_url, str) or not response_url:
        return False
    message = restarting_message()
    try:
        WebhookClient(response_url, timeout=int(ANSWER_TIMEOUT)).send(
            text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
        )
    except (SlackClientError, OSError, ValueError) as exc:
        log.warning("could not tell a user the bot is restarting: %s", type(exc).__name__)
        return False
    return True


class InFlight:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._closed = False
        self._admitted = 0  # requests let in whose dispatch has not returned yet
        self._pending: dict[str, str | None] = {}  # interaction → response_url, until its work ends
        self._answered: set[str] = set()  # told "restarting" on the work's behalf

    @property
    def closed(self) -> bool:
        return self._closed

    # -- Bolt ----------------------------------------------------------------------------
    def admit(self, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse:
        """Global middleware: let the request in, or answer it "restarting" after :meth:`close`."""
        with self._cond:
            if not self._closed:
                self._admitted += 1
                req.context[_ADMITTED] = True
                return next()
        return self._turn_away(req.body)

    def track(self, req: BoltRequest, resp: BoltResponse, next: Next) -> BoltResponse:
        """Global middleware (the last one): remember the interaction this request starts."""
        key = _key(req.body)
        if key is not None and req.context.get(_ADMITTED):
            with self._cond:
                self._pending[key] = req.body.get("response_url")
        return next()

    def dispatch(self, dispatch: Callable[[BoltRequest], BoltResponse], req: BoltRequest) -> BoltResponse:
        """Around ``App.dispatch``: an admitted request counts until Bolt has queued its work."""
        response: BoltResponse | None = None
        try:
            response = dispatch(req)
            return response
        finally:
            with self._cond:
                if req.context.get(_ADMITTED):
                    self._admitted -= 1
                key = _key(req.body) if isinstance(req.body, dict) else None
                if key is not None and (response is None or response.status != 200):
                    self._pending.pop(key, None)  # no listener ran: nothing to wait for
                self._cond.notify_all()

    def run(self, body: dict[str, Any], respond: Respond, work: Callable[[Respond], None]) -> None:
        """Run a lazy listener's ``work``; skipped when its user was already told "restarting", and
        its answers silenced from the moment they are."""
        key = _key(body)
        gated = _Gated(respond, lambda: key is None or key not in self._answered)
        self.run_event(body, lambda: work(gated))

    def run_event(self, body: dict[str, Any], work: Callable[[], None]) -> None:
        """Run a lazy listener's ``work`` that has nobody to answer (an event)."""
        key = _key(body)
        with self._cond:
            skip = key is not None and key in self._answered
        try:
            if not skip:
                work()
        finally:
            with self._cond:
                if key is not None:
                    self._pending.pop(key, None)
                self._cond.notify_all()

    # -- shutdown ------------------------------------------------------------------------
    def close(self) -> None:
        """From now on every Slack request is answered "restarting" instead of being handled."""
        with self._cond:
            self._closed = True

    def wait_idle(self, timeout: float) -> bool:
        """Whether every admitted request was dispatched and every interaction's work ended in time."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._admitted or self._pending:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
            return True

    def expire(self) -> int:
        """Tell every user whose interaction has not finished that the bot is restarting; how many."""
        with self._cond:
            waiting = {k: url for k, url in self._pending.items() if k not in self._answered}
            self._answered.update(waiting)
        return sum(1 for url in waiting.values() if answer_restarting(url))

    # -- turned away -----------------------------------------------------------------------
    def _turn_away(self, body: dict[str, Any]) -> BoltResponse:
        if body.get("type") == "event_callback":  # Slack re-sends it later (its retries)
            return BoltResponse(status=503, body=json.dumps({"error": RESTARTING}))
        if body.get("command"):  # a slash command's acknowledgement is shown to its user
            message = restarting_message()
            answer = {"response_type": "ephemeral", "text": message.text, "blocks": message.blocks}
            return BoltResponse(status=200, body=answer)
        answer_restarting(body.get("response_url"))
        return BoltResponse(status=200, body="")


class _Gated(Respond):
    """``respond`` that goes quiet once the user was told the bot is restarting."""

    def __init__(self, inner: Respond, live: Callable[[], bool]) -> None:
        super().__init__(response_url=inner.response_url, proxy=inner.proxy, ssl=inner.ssl)
        self._live = live

    def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        if self._live():
            return super().__call__(*args, **kwargs)
        log.info("an answer after the restarting notice was not sent")
        return WebhookResponse(url=self.response_url or "", status_code=200, body="", headers={})
