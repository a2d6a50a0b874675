"""``/dms history <task>``: recent verdicts and record counts as a chart, with the numbers beside it."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.core.commands import Command
from bot.questions import Ambiguous, NotFound
from bot.render import blocks
from bot.render.chart import history_alt_text, history_chart_png, history_message
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
        send(respond, blocks.unknown_task_message(found.name, found.suggestions))
        return
    if isinstance(found, Ambiguous):
        send(respond, blocks.ambiguous_task_message(found.name, found.candidates))
        return
    rows = deps.store.task_history(found.task.arn, limit=HISTORY_SWEEPS)
    message = history_message(found.task.identifier, rows, now=deps.clock())
    if rows and channel_id:
        try:
            client.files_upload_v2(
                channel=channel_id,
                content=history_chart_png(
                    rows, task_id=found.task.identifier, timezone=deps.settings.schedule.timezone
                ),
                filename=f"{found.task.identifier}-history.png",
                title=f"{found.task.identifier}: validation history",
                alt_txt=history_alt_text(found.task.identifier, rows),
            )
        except SlackClientError as exc:
            error = to_slack_error(exc)
            log.warning("history chart not uploaded: %s", error)
            note = (
                "invite the bot to this channel to see the chart"
                if error.code == "not_in_channel"
                else str(error)
            )
            send(
                respond,
                blocks.error_message(f"The chart could not be uploaded ({note}); the numbers follow."),
            )
    send(respond, message)
