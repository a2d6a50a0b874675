""" "Share in channel": re-run the answered command (from the cache) and post it visibly."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.core.slash import parse_command
from bot.render.edits import shared_message
from bot.slack.answers import answer
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded
from bot.slack.reply import send


@guarded
def share(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    command = parse_command(click.value.get("command", ""))
    message = answer(command, deps.questions)
    send(respond, shared_message(message, user_id=click.user_id or ""), in_channel=True)
