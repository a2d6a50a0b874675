"""``/dms history <task>``: recent verdicts and record counts as a chart, with the numbers beside it."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.app.questions import Ambiguous, History, NotFound
from bot.core.slash import Command
from bot.render.chart import history_chart_png
from bot.render.help import ambiguous_task_message, error_message, unknown_task_message
from bot.render.history import history_alt_text, history_message
from bot.slack.client import to_slack_error
from bot.slack.deps import Deps
from bot.slack.reply import send

log = logging.getLogger(__name__)
HISTORY_SWEEPS = 48


def answer_history(
    *, command: Command, respond: Respond, client: WebClient, deps: Deps, channel_id: str | None
) -> None:
    found = deps.questions.find(command.task or "")
    if isinstance(found, NotFound):
        send(respond, unknown_task_message(found.name, found.suggestions))
        return
    if isinstance(found, Ambiguous):
        send(respond, ambiguous_task_message(found.name, found.candidates))
        return
    history = deps.questions.history(found.task, sweeps=HISTORY_SWEEPS)
    if history.rows and channel_id:
        _upload_chart(found.task.identifier, history, respond=respond, client=client, channel_id=channel_id)
    send(respond, history_message(found.task.identifier, history.rows, now=deps.clock()))


def _upload_chart(
    task_id: str, history: History, *, respond: Respond, client: WebClient, channel_id: str
) -> None:
    """The chart as a file in the channel; if Slack refuses it, one line says why (the numbers follow)."""
    try:
        client.files_upload_v2(
            channel=channel_id,
            content=history_chart_png(history.rows, task_id=task_id, timezone=history.timezone),
            filename=f"{task_id}-history.png",
            title=f"{task_id}: validation history",
            alt_txt=history_alt_text(task_id, history.rows),
        )
    except SlackClientError as exc:
        error = to_slack_error(exc)
        log.warning("history chart not uploaded: %s", error)
        note = (
            "invite the bot to this channel to see the chart"
            if error.code == "not_in_channel"
            else str(error)
        )
        send(respond, error_message(f"The chart could not be uploaded ({note}); the numbers follow."))
