"""The outbox's Slack calls: posts (exactly once, see :mod:`bot.deliver.slack_dedup`), replies and
edits, with Slack's failures told apart: retried, given up, or retried with the outcome unknown."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deliver.outcomes import Dead, Retry
from bot.deliver.slack_dedup import PostDedup, in_doubt, post_metadata
from bot.slack.client import PERMANENT_SLACK_ERRORS, to_slack_error
from bot.store.base import OutboxItem

SLACK_FAILURES = (SlackApiError, SlackClientError, OSError)  # OSError: urllib timeouts, resets


class SlackSender:
    def __init__(self, slack: Any) -> None:
        self.slack = slack  # a slack_sdk WebClient (or anything with its chat_* / conversations_*)
        self.dedup = PostDedup(slack)

    def post(self, item: OutboxItem, **kwargs: Any) -> dict[str, Any]:
        """chat.postMessage with the item's key in metadata. An item whose last attempt's outcome is
        unknown is looked for in its conversation first; found, its ts is the result."""
        if in_doubt(item) is not None:
            try:
                found = self.dedup.find(item, channel=kwargs["channel"], thread_ts=kwargs.get("thread_ts"))
            except SLACK_FAILURES as exc:
                raise failure(exc, unknown=True) from None  # still unknown: look again next time
            if found is not None:
                return found
        try:
            response = self.slack.chat_postMessage(
                metadata=post_metadata(item.key), unfurl_links=False, unfurl_media=False, **kwargs
            )
        except SLACK_FAILURES as exc:  # no answer (or a 5xx): Slack may have posted it
            raise failure(exc, unknown=no_answer(exc)) from None
        return {"channel": response.get("channel"), "ts": response.get("ts")}

    def update(self, **kwargs: Any) -> dict[str, Any]:
        """chat.update: the same edit twice is harmless, so no outcome is ever in doubt."""
        try:
            response = self.slack.chat_update(unfurl_links=False, unfurl_media=False, **kwargs)
        except SLACK_FAILURES as exc:
            raise failure(exc, unknown=False) from None
        return {"channel": response.get("channel"), "ts": response.get("ts")}


def failure(exc: Exception, *, unknown: bool) -> Retry | Dead:
    """A Slack failure as the outbox's outcome: Dead when retrying cannot fix it."""
    error = to_slack_error(exc)
    if error.code in PERMANENT_SLACK_ERRORS:
        return Dead(str(error))
    return Retry(str(error), after=error.retry_after, unknown=unknown)


def no_answer(exc: Exception) -> bool:
    """No HTTP answer at all, or a 5xx: whether Slack acted on the call is unknown."""
    response = exc.response if isinstance(exc, SlackApiError) else None
    return response is None or response.status_code >= 500
