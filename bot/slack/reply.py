"""Sending replies: through ``response_url`` (respond) or the Web API, errors logged, never raised."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.render.kit import SlackMessage

log = logging.getLogger(__name__)


def send(
    respond: Respond,
    message: SlackMessage,
    *,
    replace_original: bool = False,
    in_channel: bool = False,
) -> bool:
    """Reply through the interaction's response_url; False (and a log line) if Slack refused it."""
    try:
        respond(
            text=message.text,
            blocks=message.blocks,
            response_type="in_channel" if in_channel else "ephemeral",
            replace_original=replace_original,
        )
    except (SlackClientError, OSError, ValueError) as exc:
        log.warning("reply through response_url failed: %s", type(exc).__name__)
        return False
    return True


def update(client: WebClient, *, channel: str, ts: str, message: SlackMessage) -> bool:
    """Edit a message in place (chat.update); False (and a log line) if Slack refused it."""
    try:
        client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
    except (SlackClientError, OSError) as exc:  # OSError: urllib timeouts and resets
        log.warning("chat.update failed: %s", _code(exc))
        return False
    return True


def _code(exc: Exception) -> Any:
    response = getattr(exc, "response", None)
    return response.get("error") if response is not None else type(exc).__name__
