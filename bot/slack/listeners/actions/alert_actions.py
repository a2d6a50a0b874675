"""Buttons on alert messages: Acknowledge, Snooze 1h/4h/24h and Revalidate.

Parse the click, call :class:`bot.app.incidents.Incidents`, render what it says, reply. The rules
(double clicks, who may revalidate, the audit log) live in the service.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.app.revalidation import Outcome, Refusal
from bot.core.models import TaskKind, kind_of_arn
from bot.render.alert_replies import (
    already_resolved,
    not_operator_message,
    revalidate_just_sent,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from bot.render.help import error_message
from bot.render.kit import SlackMessage
from bot.render.words import noun
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_task
from bot.slack.reply import send


@guarded
def acknowledge(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arn = watched_task(click, deps)
    if not deps.incidents.acknowledge(arn, user=click.user_id or ""):
        send(respond, error_message(already_resolved()))


@guarded
def snooze(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arn = watched_task(click, deps)
    hours = click.value.get("hours")
    if hours is None:
        return
    user = click.user_id or ""
    snoozed = deps.incidents.snooze(arn, user=user, hours=int(hours))
    if not snoozed.alert_open:
        send(respond, snooze_reply(user_id=user, until=snoozed.until, kind=kind_of_arn(arn)))


@guarded
def revalidate(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    """ReloadTables (validate-only) for the task's failing tables: operators only, running tasks only."""
    arn = watched_task(click, deps)
    user = click.user_id or ""
    outcome = deps.incidents.revalidate(arn, user=user, operator=deps.access.is_operator(user))
    reply = revalidate_answer(outcome, user, kind_of_arn(arn))
    if reply is not None:
        send(respond, reply)


def revalidate_answer(outcome: Outcome, user: str, kind: TaskKind = TaskKind.TASK) -> SlackMessage | None:
    """What the clicker sees; None when the answer went to the alert's thread."""
    if outcome.refused is Refusal.NOT_OPERATOR:
        return not_operator_message()
    if outcome.refused is Refusal.JUST_SENT:
        return revalidate_not_possible_message(revalidate_just_sent(kind))
    if outcome.refused is Refusal.GONE:
        return revalidate_not_possible_message(f"the {noun(kind)} no longer exists")
    if outcome.refused is Refusal.NOT_POSSIBLE:
        return revalidate_not_possible_message(outcome.reason or "")
    if outcome.in_thread:
        return None
    return revalidate_reply(
        user_id=user, tables=outcome.tables, requests=outcome.requests, error=outcome.error, kind=kind
    )
