"""Buttons on alert messages: Acknowledge, Snooze 1h/4h/24h and Revalidate.

Every action is written to the audit log; its visible outcome (the message edited, a thread reply)
goes through the outbox like every other alert message.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.app.questions import Found
from bot.aws.budget import Priority, priority
from bot.core.alerts import TaskAlert
from bot.core.evaluate import classify_table
from bot.core.models import Verdict
from bot.errors import DmsError
from bot.render.alert import alert_message
from bot.render.alert_replies import (
    ack_reply,
    already_resolved,
    not_operator_message,
    revalidate_just_sent,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from bot.render.help import error_message
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_task
from bot.slack.reply import send
from bot.store.base import AuditEntry

log = logging.getLogger(__name__)
REVALIDATE_QUIET = timedelta(minutes=2)  # a second Revalidate of the same task this soon is a double click


def _refresh(alert: TaskAlert, deps: Deps, *, reason: str) -> None:
    """Re-render the alert message (ack and snooze show on it) and queue the edit."""
    now = deps.clock()
    snooze = deps.store.active_snoozes(now).get(alert.task_arn)
    seen = deps.checker.cached(alert.task_arn)
    message = alert_message(alert, seen, now=now, snoozed_until=snooze.until if snooze else None)
    deps.alerter.act(alert, message, reason=reason, now=now, thread=False)


@guarded
def acknowledge(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arn = watched_task(click, deps)
    user, now = click.user_id or "", deps.clock()
    with deps.store.transaction():
        alert = deps.store.get_alert(arn)
        if alert is None or not alert.open:
            send(respond, error_message(already_resolved()))
            return
        alert = replace(alert, acked_by=user, acked_at=now)
        deps.store.save_alert(alert)
        deps.store.add_audit(
            at=now, user_id=user, action="acknowledge", task_arn=arn, detail=f"incident {alert.incident}"
        )
        _refresh(alert, deps, reason="ack")
        deps.alerter.act(alert, ack_reply(user_id=user, at=now), reason="ack-reply", now=now, thread=True)
    deps.deliverer.wake()


@guarded
def snooze(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    arn = watched_task(click, deps)
    hours = click.value.get("hours")
    if hours is None:
        return
    user, now = click.user_id or "", deps.clock()
    until = now + timedelta(hours=int(hours))
    with deps.store.transaction():
        deps.store.set_snooze(arn, until=until, by=user, at=now)
        deps.store.add_audit(
            at=now, user_id=user, action="snooze", task_arn=arn, detail=f"{hours}h until {until.isoformat()}"
        )
        alert = deps.store.get_alert(arn)
        if alert is not None and alert.open:
            _refresh(alert, deps, reason="snooze")
            deps.alerter.act(
                alert,
                snooze_reply(user_id=user, until=until),
                reason="snooze-reply",
                now=now,
                thread=True,
            )
    deps.deliverer.wake()
    if alert is None or not alert.open:
        send(respond, snooze_reply(user_id=user, until=until))


@guarded
def revalidate(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    """ReloadTables (validate-only) for the task's failing tables: operators only, running tasks only."""
    user, now = click.user_id or "", deps.clock()
    arn = watched_task(click, deps)
    if not deps.access.is_member(user, deps.settings.slack.operators):
        deps.store.add_audit(
            at=now, user_id=user, action="revalidate-refused", task_arn=arn, detail="not an operator"
        )
        send(respond, not_operator_message())
        return
    with deps.in_flight.claim(f"revalidate:{arn}") as first:
        recent = _recent_revalidation(deps, arn, now)
        if not first or recent is not None:
            send(respond, revalidate_not_possible_message(revalidate_just_sent()))
            return
        _revalidate(arn, user=user, now=now, respond=respond, deps=deps)


def _recent_revalidation(deps: Deps, arn: str, now: datetime) -> AuditEntry | None:
    """A revalidation of this task sent within the last couple of minutes (a double click)."""
    for entry in deps.store.audit_entries(limit=100):
        if entry.action == "revalidate" and entry.task_arn == arn and now - entry.at < REVALIDATE_QUIET:
            return entry
    return None


def _revalidate(arn: str, *, user: str, now: datetime, respond: Respond, deps: Deps) -> None:
    found = deps.questions.find(arn)
    if not isinstance(found, Found):
        send(respond, revalidate_not_possible_message("the task no longer exists"))
        return
    tables, error, sent = _reload_failing(found, deps)
    deps.store.add_audit(
        at=now,
        user_id=user,
        action="revalidate" if sent else "revalidate-failed",
        task_arn=arn,
        detail=error or f"{len(tables)} tables, {sent} requests",
    )
    if error and not sent and not tables:
        send(respond, revalidate_not_possible_message(error))
        return
    reply = revalidate_reply(user_id=user, tables=len(tables), requests=sent, error=error)
    alert = deps.store.get_alert(arn)
    if alert is not None and alert.announced:
        deps.alerter.act(alert, reply, reason="revalidate", now=now, thread=True)
        deps.deliverer.wake()
    else:
        send(respond, reply)


def _reload_failing(found: Found, deps: Deps) -> tuple[list[tuple[str, str]], str | None, int]:
    """(failing tables, error, requests sent), checking the task is running first."""
    gateway = found.watched.gateway
    try:
        with priority(Priority.INTERACTIVE):
            task = gateway.describe_task(found.task.arn)
            if task.status != "running":
                return [], f"the task is {task.status}, and DMS only revalidates tables of a running task", 0
            failing = [
                (t.schema, t.table)
                for t in gateway.table_stats(task.arn)
                if classify_table(t)[0] is Verdict.FAILURE
            ]
            if not failing:
                return [], "the task has no failing tables right now", 0
            sent = gateway.reload_tables(task.arn, failing, option="validate-only")
    except DmsError as exc:
        log.warning("revalidate %s failed: %s", found.task.identifier, exc)
        return [], str(exc), 0
    return failing, None, sent
