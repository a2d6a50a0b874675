"""Exactly-once Slack posts: every post carries its outbox key in message metadata, and a post
whose earlier attempt's outcome is unknown is looked for in the channel before it is sent again.

chat.postMessage has no idempotency key. When an answer is lost (the bot died mid-call, the call
timed out, the connection was reset after Slack may have accepted it), the only way to know is to
read the conversation back: ``conversations.history`` (``conversations.replies`` for a thread
reply) with ``include_all_metadata``, bounded by the time of the attempts in doubt. Found: its ts
is recorded and nothing is posted. Metadata is readable by the whole workspace, so it holds the
outbox key only (a task ARN and an incident number), never anything secret.

Where the bot cannot read history (``channels:history`` / ``groups:history`` missing, not in the
channel), the check degrades to posting again, with one warning naming what is missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.store.base import OutboxItem

log = logging.getLogger(__name__)

EVENT_TYPE = "dms_bot_post"
POST_KINDS = ("slack.post", "slack.thread")
SKEW = 60.0  # seconds: Slack's clock against this host's, either way
SEND_WINDOW = 60.0  # an attempt's request ends within its outbox lease (deliverer.LEASE)
PAGE = 100
MAX_PAGES = 10
# Slack's answers meaning "this bot cannot read that conversation": the check is skipped
CANNOT_READ = frozenset(
    {
        "missing_scope",
        "not_in_channel",
        "channel_not_found",
        "thread_not_found",
        "not_allowed_token_type",
        "method_not_supported_for_channel_type",
        "access_denied",
    }
)


def post_metadata(key: str) -> dict[str, Any]:
    """The ``metadata`` argument of the bot's chat.postMessage calls."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_key": key}}


def in_doubt(item: OutboxItem) -> tuple[float, float] | None:
    """(first, last) wall-clock times of the attempts whose outcome is unknown, if any."""
    if item.kind not in POST_KINDS or item.status != "pending" or not isinstance(item.result, dict):
        return None
    first, last = item.result.get("attempt_first"), item.result.get("attempt_last")
    if isinstance(first, int | float) and isinstance(last, int | float):
        return float(first), float(last)
    return None


class PostDedup:
    """Looks for a post by its outbox key; counts the Slack calls it made (``calls``)."""

    def __init__(self, slack: Any, *, wall: Callable[[], float] = time.time) -> None:
        self.slack = slack
        self.wall = wall
        self.calls = 0
        self._bot_id: str | None = None
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def attempt(self, item: OutboxItem) -> dict[str, Any] | None:
        """What to record when ``item`` is leased for sending: the attempt now, and the first
        attempt still in doubt (None for items that are not Slack posts)."""
        if item.kind not in POST_KINDS:
            return None
        now = self.wall()
        doubt = in_doubt(item)
        return {"attempt_first": doubt[0] if doubt else now, "attempt_last": now}

    def find(self, item: OutboxItem, *, channel: str, thread_ts: str | None) -> dict[str, Any] | None:
        """``{"channel", "ts"}`` of the message posted for ``item``, or None (not there, or this
        bot cannot read the conversation). Other Slack errors propagate: the item is retried."""
        doubt = in_doubt(item)
        if doubt is None:
            return None
        window = {"oldest": f"{doubt[0] - SKEW:.6f}", "latest": f"{doubt[1] + SEND_WINDOW + SKEW:.6f}"}
        try:
            bot_id = self._own_bot_id()
            for message in self._messages(channel, thread_ts, window):
                if _is_ours(message, item.key, bot_id):
                    log.info("%s to %s was already posted (ts %s): recorded, not posted again",
                             item.kind, channel, message.get("ts"))  # fmt: skip
                    return {"channel": channel, "ts": message.get("ts")}
        except SlackApiError as exc:
            code = str(exc.response.get("error") or "") if exc.response is not None else ""
            if code not in CANNOT_READ:
                raise
            self._warn_once(code, exc, channel)
        return None

    def _messages(self, channel: str, thread_ts: str | None, window: dict[str, str]) -> Any:
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            args: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "inclusive": True}
            args.update(window, limit=PAGE, **({"cursor": cursor} if cursor else {}))
            self.calls += 1
            if thread_ts is None:
                page = self.slack.conversations_history(**args)
            else:
                page = self.slack.conversations_replies(ts=thread_ts, **args)
            yield from page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return
        log.warning("%s: more than %d messages around a post in doubt; it is posted again", channel,
                    PAGE * MAX_PAGES)  # fmt: skip

    def _own_bot_id(self) -> str | None:
        """This bot's bot_id (one auth.test per process), so another app's look-alike cannot pass."""
        if self._bot_id is None:
            self.calls += 1
            self._bot_id = str(self.slack.auth_test().get("bot_id") or "") or None
        return self._bot_id

    def _warn_once(self, code: str, exc: SlackApiError, channel: str) -> None:
        needed = str(exc.response.get("needed") or "") if exc.response is not None else ""
        what = f"{code}: {needed}" if needed else f"{code} in {channel}"
        with self._lock:
            if what in self._warned:
                return
            self._warned.add(what)
        hint = (
            f"add the {needed} scope to the app (manifest.yml lists it) and reinstall it"
            if needed
            else "invite the bot to the channel"
        )
        log.warning(
            "cannot read the channel history to check whether a post whose answer was lost reached "
            "Slack (%s): such a post is sent again and may show twice; %s",
            what,
            hint,
        )


def _is_ours(message: Any, key: str, bot_id: str | None) -> bool:
    if not isinstance(message, dict):
        return False
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return False
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict) or payload.get("outbox_key") != key:
        return False
    return bot_id is None or message.get("bot_id") == bot_id
