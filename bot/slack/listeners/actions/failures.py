""" "Failed rows" on an alert (the same answer as ``/dms failures <task>``, ephemeral) and the
Previous/Next buttons of that answer."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.app.questions import Found
from bot.render.help import error_message, task_gone
from bot.slack.answers import failures_answer
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_task
from bot.slack.reply import send


@guarded
def failed_rows(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    found = deps.questions.find(watched_task(click, deps))
    if not isinstance(found, Found):
        send(respond, error_message(task_gone()))
        return
    send(respond, failures_answer(deps.questions, found, table=None, page=0))


@guarded
def failures_page(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    found = deps.questions.find(watched_task(click, deps))
    if not isinstance(found, Found):
        send(respond, error_message(task_gone()), replace_original=True)
        return
    table, page = click.value.get("table"), click.value.get("page", 0)
    send(respond, failures_answer(deps.questions, found, table=table, page=page), replace_original=True)
