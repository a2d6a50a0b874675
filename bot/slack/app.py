"""``create_app(settings, deps)``: the Bolt app, with nothing done at import time."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.error import BoltError

from bot.errors import ConfigError, SlackError
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.listeners import register_listeners


def create_app(settings: Settings, deps: Deps, *, http_mode: bool = False) -> App:
    """A Bolt App using the injected WebClient (its base URL and retry handlers included).

    ``auth.test`` runs here, so a wrong token fails at start-up with Slack's reason, not later.
    """
    secret = settings.slack.signing_secret
    if http_mode and not secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode cannot verify Slack's requests without it"
        )
    try:
        app = App(
            client=deps.web_client,
            signing_secret=secret.reveal() if secret else "unused-in-socket-mode",
            logger=logging.getLogger("bot.slack"),
            raise_error_for_unhandled_request=False,
            ignoring_self_events_enabled=True,
        )
    except BoltError as exc:
        raise SlackError(
            f"Slack rejected the bot token at start-up ({_reason(exc)})", code="invalid_auth"
        ) from None
    register_listeners(app, deps)
    return app


def _reason(exc: BoltError) -> str:
    text = str(exc)
    for code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
        if code in text:
            return code
    return "auth.test failed"
