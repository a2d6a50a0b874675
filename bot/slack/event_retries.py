"""A Bolt middleware: an Events API event already handled (by this replica or another) is
acknowledged with 200 and not handled again, so Slack stops re-sending it.

Slack retries an event up to three times (``X-Slack-Retry-Num``, ``X-Slack-Retry-Reason``) when it
got no 200 within three seconds; in Socket Mode the envelope carries the same ``event_id``. Every
``event_callback`` is recorded by :class:`bot.app.slack_events.SlackEvents`, the first delivery
included, because the retry may reach a replica that never saw the first one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse

from bot.app.slack_events import SlackEvents

log = logging.getLogger(__name__)


def handled_once(
    events: SlackEvents,
) -> Callable[[BoltRequest, BoltResponse, Callable[[], BoltResponse]], BoltResponse]:
    """The middleware over ``events`` (Bolt passes the arguments by these names)."""

    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not events.first_delivery(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info(
                "Slack event %s was already handled; retry %s acknowledged, not handled", event_id, retry
            )
            return BoltResponse(status=200, body="")
        return next()

    return middleware
