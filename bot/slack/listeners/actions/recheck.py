""" "Re-check": show that a re-check runs, re-run validation for the message's tasks, update in place."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.core.models import Report
from bot.render.edits import rechecking_message
from bot.render.kit import SlackMessage
from bot.render.report import rechecked, report_message
from bot.render.task import task_message
from bot.slack.answers import answer_errors
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_arns
from bot.slack.reply import send, update


@guarded
def recheck(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arns = watched_arns(click, deps)
    now = deps.clock()
    _show(click, respond, client, rechecking_message(click.blocks, user_id=click.user_id or "", at=now))
    with answer_errors(deps.questions) as failed:
        report = deps.questions.recheck(arns)
    if failed.message is not None:
        _show(click, respond, client, failed.message)
        return
    single = click.value.get("scope") == "task"
    arn = click.value.get("task")
    if single and arn and deps.incidents.is_alert_message(arn, click.message_ts):
        outcome = (report.tasks or report.errors or (None,))[0]
        note = rechecked(click.user_id or "", deps.clock()) if click.user_id else None
        if outcome is not None and deps.incidents.observe(outcome, note=note):
            return  # the alert's own edit (and any "recovered" reply) goes out through the outbox
    message = _result(report, single=single, user_id=click.user_id, deps=deps)
    _show(click, respond, client, message)


def _result(report: Report, *, single: bool, user_id: str | None, deps: Deps) -> SlackMessage:
    if single:
        outcome = (report.tasks or report.errors or (None,))[0]
        if outcome is not None:
            return task_message(outcome, rechecked_by=user_id)
    return report_message(report, rechecked_by=user_id, rechecked_at=deps.clock())


def _show(click: Click, respond: Respond, client: WebClient, message: SlackMessage) -> None:
    """The same message, updated in place: chat.update for channel posts, response_url for ephemeral ones."""
    if click.ephemeral or not (click.channel_id and click.message_ts):
        send(respond, message, replace_original=True)
    else:
        update(client, channel=click.channel_id, ts=click.message_ts, message=message)
