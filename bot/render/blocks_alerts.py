"""Incident messages: the alert posted once and updated in place every sweep, its resolved form,
the replies in its thread and the short answers to its buttons.

Pure like every renderer: the alert state, what the sweep saw and the time come in, a
:class:`SlackMessage` goes out. The caller decides *when* each is sent (see ``bot.core.alerts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import ButtonElement

from bot.core.alerts import TaskAlert, open_for
from bot.core.models import Task, TaskError, TaskVerdict, Verdict
from bot.render import kit, messages, parts
from bot.render import messages_alerts as words
from bot.render.actions import ACK, RECHECK, REVALIDATE, SHOW_TABLES, SNOOZE, SNOOZE_BUTTON_HOURS
from bot.render.kit import (
    Block,
    Builder,
    SlackMessage,
    action_row,
    button,
    confirm_dialog,
    context,
    header,
    join_lines,
    section,
)
from bot.render.mrkdwn import label

Seen = TaskVerdict | TaskError | None

ALERT_REASONS = 5
ALERT_STATES = 6
ALERT_TABLES = 8
BODY_MAX = 2500


def _task(alert: TaskAlert, seen: Seen) -> Task:
    if isinstance(seen, TaskVerdict):
        return seen.task
    return Task(identifier=alert.task_id, arn=alert.task_arn, status="")


def _title(alert: TaskAlert, seen: Seen) -> str:
    target = seen.target if isinstance(seen, TaskVerdict | TaskError) else alert.target
    return words.task_line(parts.task_link(_task(alert, seen)), target)


def _body(alert: TaskAlert, seen: Seen) -> Block:
    title = _title(alert, seen)
    if isinstance(seen, TaskVerdict):
        lines = [title, parts.task_facts(seen), *parts.reason_lines(seen.reasons, ALERT_REASONS)]
        if seen.by_validation_state:
            counts = parts.state_counts(seen.by_validation_state, ALERT_STATES)
            lines.append(messages.states_inline(counts))
        tables = parts.problem_lines(seen, ALERT_TABLES)
        if tables:
            lines += [messages.worst_tables_title(), *tables]
    elif isinstance(seen, TaskError):
        lines = [messages.could_not_check(title, label(seen.error, 1500))]
    else:
        lines = [title, words.gone()]
    return section(join_lines(lines, BODY_MAX))


def _failing_tables(alert: TaskAlert, seen: Seen) -> tuple[int, bool]:
    """How many failing tables a Revalidate would cover, and whether that is a lower bound."""
    if isinstance(seen, TaskVerdict):
        failing = sum(1 for p in seen.problem_tables if p.verdict is Verdict.FAILURE)
        return failing, seen.problem_tables_total > len(seen.problem_tables)
    return len(alert.problem_tables), False


def _revalidate_button(arn: str, tables: int, at_least: bool) -> ButtonElement | None:
    dialog = confirm_dialog(
        title=words.CONFIRM_TITLE,
        text=words.confirm_text(tables, at_least=at_least),
        confirm=words.CONFIRM_YES,
        deny=words.CONFIRM_NO,
    )
    return button(words.REVALIDATE, REVALIDATE, {"task": arn}, style="danger", confirm=dialog)


def _alert_buttons(alert: TaskAlert, seen: Seen) -> Block | None:
    arn = alert.task_arn
    scope = {"scope": "task", "task": arn}
    tables, at_least = _failing_tables(alert, seen)
    return action_row(
        [
            None if alert.acked_by else button(words.ACKNOWLEDGE, ACK, {"task": arn}, style="primary"),
            *(
                button(words.snooze_button(h), f"{SNOOZE}_{h}", {"task": arn, "hours": h})
                for h in SNOOZE_BUTTON_HOURS
            ),
            _revalidate_button(arn, tables, at_least) if tables and seen is not None else None,
            button(messages.RECHECK, RECHECK, scope),
            button(messages.SHOW_TABLES, SHOW_TABLES, scope),
        ]
    )


def _status_lines(alert: TaskAlert, seen: Seen, now: datetime, snoozed_until: datetime | None) -> list[str]:
    last = seen.checked_at if isinstance(seen, TaskVerdict) else alert.last_seen_at
    lines = [words.since(alert.kind, alert.opened_at or now, open_for(alert, now), last or now)]
    if alert.acked_by:
        lines.append(words.acknowledged(alert.acked_by, alert.acked_at))
    if snoozed_until is not None:
        lines.append(words.snoozed_until(snoozed_until))
    return lines


def _summary(alert: TaskAlert, seen: Seen) -> str:
    if isinstance(seen, TaskVerdict) and seen.reasons:
        return "; ".join(seen.reasons[:3])
    if isinstance(seen, TaskError):
        return seen.error
    return alert.summary


def alert_message(
    alert: TaskAlert,
    seen: TaskVerdict | TaskError | None,
    *,
    now: datetime,
    mention: str | None = None,
    snoozed_until: datetime | None = None,
) -> SlackMessage:
    """The incident's one message: what is wrong, since when, who owns it, and what to do.

    ``mention`` (an ``S…`` user-group ID) is for the first post only; updates pass None.
    """
    builder = Builder()
    row = _alert_buttons(alert, seen)
    footer = [context(*_status_lines(alert, seen, now, snoozed_until)), *([row] if row else [])]
    builder.add(header(words.alert_header(alert.kind)))
    if mention:
        builder.add(section(words.mention(mention)))
    builder.add(_body(alert, seen), reserve=footer)
    builder.add(*footer)
    return builder.build(words.alert_fallback(alert.task_id, alert.kind, _summary(alert, seen), mention))


def resolved_message(
    alert: TaskAlert, seen: TaskVerdict | TaskError | None, *, now: datetime
) -> SlackMessage:
    """The same message once the incident is over: calm, green, and what it was about."""
    at = alert.resolved_at or now
    span = open_for(alert, now)
    lines = [_title(alert, seen)]
    lines.append(words.resolved_gone(at, span) if seen is None else words.resolved(at, span))
    if alert.summary.strip() and not (seen is None and alert.summary == "task no longer exists"):
        lines.append(words.was_wrong(alert.summary))
    notes = [words.acknowledged(alert.acked_by, alert.acked_at)] if alert.acked_by else []
    if alert.opened_at is not None:
        notes.append(words.opened(alert.opened_at))
    scope = parts.task_scope(_task(alert, seen)) if isinstance(seen, TaskVerdict) else None
    row = action_row([button(messages.SHOW_TABLES, SHOW_TABLES, scope)])
    builder = Builder()
    builder.add(header(words.RESOLVED_HEADER), section(join_lines(lines, BODY_MAX)))
    builder.add(context(*notes) if notes else None, row)
    return builder.build(words.resolved_fallback(alert.task_id, span, task_gone=seen is None))


def _reply(*lines: str, fallback: str | None = None) -> SlackMessage:
    text = join_lines([line for line in lines if line])
    return kit.message(fallback or text, [section(text)])


def reminder_reply(alert: TaskAlert, seen: TaskVerdict | TaskError | None, *, now: datetime) -> SlackMessage:
    """Thread: still unhealthy after ``remind_every``, with a one-line current summary."""
    return _reply(words.reminder(alert.kind, open_for(alert, now)), words.currently(_summary(alert, seen)))


def new_tables_reply(alert: TaskAlert, tables: Sequence[str]) -> SlackMessage:
    """Thread: tables that joined an open incident (names escaped, capped)."""
    names = list(tables)
    return _reply(words.new_tables(names), fallback=words.new_tables_fallback(alert.task_id, len(names)))


def recovered_reply(alert: TaskAlert, *, now: datetime) -> SlackMessage:
    """Thread: the task is healthy again."""
    return _reply(words.recovered(open_for(alert, now)))


def revalidate_reply(*, user_id: str, tables: int, requests: int, error: str | None) -> SlackMessage:
    """Thread: the outcome of an operator's Revalidate click."""
    if error is not None:
        return _reply(words.revalidate_failed(user_id, tables, requests, error))
    return _reply(words.revalidated(user_id, tables, requests))


def ack_reply(*, user_id: str, at: datetime) -> SlackMessage:
    return _reply(words.acked(user_id, at))


def snooze_reply(*, user_id: str, until: datetime) -> SlackMessage:
    return _reply(words.snoozed(user_id, until))


def not_operator_message() -> SlackMessage:
    """Ephemeral: Revalidate is for the configured operators only."""
    return _reply(words.not_operator())


def revalidate_not_possible_message(reason: str) -> SlackMessage:
    """Ephemeral: the task is not running, or has no failing tables to re-validate."""
    return _reply(words.not_possible(reason))
