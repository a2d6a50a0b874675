"""``/dms``: parse, ask :class:`bot.app.questions.Questions`, render, answer through ``response_url``."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.core.slash import parse_command
from bot.render.help import denied_message, error_message, internal_error
from bot.slack.answers import answer, ready_answer
from bot.slack.deps import Deps
from bot.slack.listeners.commands.history import answer_history
from bot.slack.reply import send

log = logging.getLogger(__name__)


def dms_command(*, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    command = parse_command(body.get("text"))
    user_id, channel_id = body.get("user_id"), body.get("channel_id")
    try:
        if not deps.access.channel_allowed(channel_id) or not deps.access.user_allowed(user_id):
            send(respond, denied_message())
            return
        if command.name == "history":
            answer_history(command=command, respond=respond, client=client, deps=deps, channel_id=channel_id)
            return
        if command.name == "ready":
            reply = ready_answer(command, deps.questions, deps.cutover, user=user_id, channel=channel_id)
            send(respond, reply)
            return
        send(respond, answer(command, deps.questions))
    except Exception:  # a worker thread must never die silently: log, and tell the user
        log.exception("/dms %s failed", command.name)
        send(respond, error_message(internal_error("answering that")))
