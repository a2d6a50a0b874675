""" "Show tables" (the problem tables, ephemeral) and the Next/Previous buttons of ``/dms tables``."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.app.questions import Found
from bot.core.models import TaskError, TaskVerdict
from bot.render.help import error_message, task_gone
from bot.render.task import problem_tables_message, tables_message, task_message
from bot.slack.answers import answer_errors, throttled_answer
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_arns, watched_task
from bot.slack.reply import send


@guarded
def show_tables(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arns = watched_arns(click, deps)
    with answer_errors(deps.questions) as failed:
        verdicts, errors = _verdicts(arns, deps)
    if failed.message is not None:
        send(respond, failed.message)
        return
    if verdicts or not errors:
        send(respond, problem_tables_message(verdicts))
    for error in errors[:1]:  # a task that could not be checked is never shown as "no problem tables"
        send(respond, throttled_answer(deps.questions, error) or task_message(error))


def _verdicts(arns: list[str] | None, deps: Deps) -> tuple[list[TaskVerdict], list[TaskError]]:
    """Cached verdicts where fresh enough; one re-check for the rest (and what it could not check).
    All tasks: the last sweep's verdicts (its report already lists what it could not check)."""
    if arns is None:
        return list(deps.questions.fleet().tasks), []
    return deps.questions.verdicts(arns)


@guarded
def tables_page(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arn = watched_task(click, deps)
    found = deps.questions.find(arn)
    if not isinstance(found, Found):
        send(respond, error_message(task_gone()), replace_original=True)
        return
    with answer_errors(deps.questions) as failed:
        page = deps.questions.tables(found, state=click.value.get("state"), page=click.value.get("page", 0))
    if failed.message is not None:
        send(respond, failed.message)
        return
    message = tables_message(
        page.task, page.tables, state=page.state, page=page.page, page_size=page.page_size, total=page.total
    )
    send(respond, message, replace_original=True)
