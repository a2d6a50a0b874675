"""The Slack Web API client: base URL from settings (tests point it at a local fake) and
slack_sdk's own retry handlers for connection errors, 429 + Retry-After and 5xx.

A connection error or a 5xx can come after Slack has accepted a call, so retrying it blind is only
safe when the call is idempotent: chat.postMessage is not (a second message would show), so its
connection errors and 5xx are never retried here; the outbox retries it after looking for it in
the channel (:mod:`bot.deliver.slack_dedup`). 429 (Slack did nothing) is retried for every method.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.errors import ConfigError, SlackError
from bot.settings import SlackSettings

TIMEOUT = 15


def build_web_client(slack: SlackSettings, *, rate_limit_retries: int = 3) -> WebClient:
    if not slack.bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set (env, or the DMS_BOT_SECRET_ID secret)")
    return WebClient(
        token=slack.bot_token.reveal(),
        base_url=slack.api_url,
        timeout=TIMEOUT,
        retry_handlers=[
            ConnectionErrorsExceptPosts(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
            ServerErrorsExceptPosts(max_retry_count=2),
        ],
    )


# Methods whose second call after a lost answer would act twice (a second message in the channel).
NOT_IDEMPOTENT = ("chat.postMessage", "chat.scheduleMessage")


def _not_idempotent(request: HttpRequest) -> bool:
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] in NOT_IDEMPOTENT


class _ExceptPosts(RetryHandler):
    """A slack_sdk retry handler that never retries a call that must not be sent twice."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _not_idempotent(request):
            return False
        return bool(super()._can_retry(state=state, request=request, response=response, error=error))


class ConnectionErrorsExceptPosts(_ExceptPosts, ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, except for calls that must not be sent twice."""


class ServerErrorsExceptPosts(_ExceptPosts, ServerErrorRetryHandler):
    """slack_sdk's 5xx retry, except for calls that must not be sent twice."""


def to_slack_error(exc: Exception) -> SlackError:
    """slack_sdk's exceptions as the bot's own; Slack's error code is kept, tokens never are."""
    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error") or "slack_error") if exc.response is not None else "slack_error"
        retry_after = None
        if exc.response is not None and exc.response.status_code == 429:
            try:
                retry_after = float(exc.response.headers.get("Retry-After", "1"))
            except (TypeError, ValueError):
                retry_after = 1.0
        return SlackError(f"Slack refused the call: {code}", code=code, retry_after=retry_after)
    if isinstance(exc, SlackClientError):
        return SlackError(f"Slack unreachable ({type(exc).__name__})", code="unreachable")
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return SlackError("Slack did not answer in time", code="unreachable")
    return SlackError(f"Slack call failed ({type(exc).__name__})", code="unreachable")


# Slack errors that retrying cannot fix: the outbox gives such a message up at once.
PERMANENT_SLACK_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "missing_scope",
    }
)
