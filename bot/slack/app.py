"""``create_app(settings, deps)``: the Bolt app, with nothing done at import time."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import ConfigError, SlackError
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.event_retries import handled_once
from bot.slack.inflight import InFlight
from bot.slack.listeners import register_listeners
from bot.slack.replay_guard import ReplayGuard


class _TokenIsTheClients(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN "will be unused" when a client is given too; our client is
    built from that very token, so the warning only misleads whoever reads the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("bot.slack")
    if not any(isinstance(f, _TokenIsTheClients) for f in logger.filters):
        logger.addFilter(_TokenIsTheClients())
    return logger


def create_app(
    settings: Settings,
    deps: Deps,
    *,
    web_client: WebClient,
    executor: Executor | None = None,
    http_mode: bool = False,
) -> App:
    """A Bolt App using the injected WebClient (its base URL and retry handlers included); lazy
    listeners run on ``executor`` (Bolt's own pool when None).

    ``auth.test`` runs here, so a wrong token fails at start-up with Slack's reason, not later.
    """
    secret = settings.slack.signing_secret
    if http_mode and not secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode cannot verify Slack's requests without it"
        )
    app = _bolt_app(web_client, executor, secret.reveal() if secret else "unused-in-socket-mode")
    app.inflight = deps.inflight
    if http_mode:
        app.use(ReplayGuard().middleware)
    app.use(deps.inflight.admit)  # before handled_once: an event turned away is not marked handled
    if deps.events is not None:
        app.use(handled_once(deps.events))
    app.use(deps.inflight.track)
    register_listeners(app, deps)
    return app


class BotApp(App):
    """Bolt's App, each dispatch counted by :class:`InFlight` (HTTP and Socket Mode alike)."""

    inflight: InFlight | None = None

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        if self.inflight is None:
            return super().dispatch(req)
        return self.inflight.dispatch(super().dispatch, req)


def _bolt_app(web_client: WebClient, executor: Executor | None, signing_secret: str) -> BotApp:
    try:
        return BotApp(
            client=web_client,
            listener_executor=executor,
            signing_secret=signing_secret,
            logger=_bolt_logger(),
            raise_error_for_unhandled_request=False,
            ignoring_self_events_enabled=True,
        )
    except BoltError as exc:
        raise _start_up_error(exc) from None
    except (SlackClientError, OSError) as exc:  # auth.test never got an answer
        raise SlackError(
            f"Slack could not be reached at start-up ({type(exc).__name__}); check the network "
            "and SLACK_API_URL, then start the bot again",
            code="unreachable",
        ) from None


def _start_up_error(exc: BoltError) -> SlackError:
    """Bolt's auth.test failure, told apart: a bad token, or Slack itself failing (5xx, 429)."""
    cause = exc.__context__
    status = cause.response.status_code if isinstance(cause, SlackApiError) and cause.response else 0
    if status >= 500 or status == 429:
        return SlackError(
            f"Slack answered HTTP {status} to auth.test at start-up, so the bot token could not be "
            "checked; Slack may be having trouble, start the bot again later",
            code="unavailable",
        )
    return SlackError(f"Slack rejected the bot token at start-up ({_reason(exc)})", code="invalid_auth")


def _reason(exc: BoltError) -> str:
    text = str(exc)
    for code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
        if code in text:
            return code
    return "auth.test failed"
