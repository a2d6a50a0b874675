"""What the bot says in an incident's thread (reminder, new tables, recovered, the outcome of a
Revalidate) and the short answers to the alert's buttons (acknowledged, snoozed, refused).

Pure like every renderer; anything from DMS or a user is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.alerts import TaskAlert, open_for
from bot.core.models import TaskError, TaskKind, TaskVerdict
from bot.render import kit
from bot.render.alert import SUMMARY_MAX, summary
from bot.render.kit import SlackMessage, join_lines, section
from bot.render.mrkdwn import escape, label, slack_date, user
from bot.render.words import ERROR_EMOJI, NAME_MAX, names, noun, plural, reload_call, took


def reminder(kind: str, span: timedelta) -> str:
    state = "Still not checkable" if kind == "error" else "Still failing"
    return f":alarm_clock: {state} after {took(span)}."


def currently(text: str) -> str:
    return f"Now: {label(text, SUMMARY_MAX)}" if text.strip() else ""


def new_tables(tables: Sequence[str]) -> str:
    more = "more table" if len(tables) == 1 else "more tables"
    return f":new: {len(tables)} {more} failing: {names(tables)}"


def new_tables_fallback(task_id: str, n: int) -> str:
    return f"{label(task_id, NAME_MAX)}: {n} more {'table' if n == 1 else 'tables'} failing"


def revalidated(user_id: str, tables: int, requests: int, kind: TaskKind = TaskKind.TASK) -> str:
    return (
        f":repeat: {user(user_id)} asked DMS to re-validate {plural(tables, 'table')} "
        f"({plural(requests, reload_call(kind) + ' request')})."
    )


def revalidate_failed(
    user_id: str, tables: int, requests: int, error: str, kind: TaskKind = TaskKind.TASK
) -> str:
    sent = f" after {plural(requests, reload_call(kind) + ' request')}" if requests else ""
    return (
        f"{ERROR_EMOJI} {user(user_id)}'s request to re-validate {plural(tables, 'table')} "
        f"failed{sent}: {escape(error, 1000)}"
    )


def already_resolved() -> str:
    return "This alert is already resolved; nothing to acknowledge."


def revalidate_just_sent(kind: TaskKind = TaskKind.TASK) -> str:
    return (
        f"a revalidation of this {noun(kind)} was sent moments ago (see the alert's thread); "
        "try again in a few minutes"
    )


def _reply(*lines: str, fallback: str | None = None) -> SlackMessage:
    text = join_lines([line for line in lines if line])
    return kit.message(fallback or text, [section(text)])


def reminder_reply(alert: TaskAlert, seen: TaskVerdict | TaskError | None, *, now: datetime) -> SlackMessage:
    """Thread: still unhealthy after ``remind_every``, with a one-line current summary."""
    return _reply(reminder(alert.kind, open_for(alert, now)), currently(summary(alert, seen)))


def new_tables_reply(alert: TaskAlert, tables: Sequence[str]) -> SlackMessage:
    """Thread: tables that joined an open incident (names escaped, capped)."""
    listed = list(tables)
    return _reply(new_tables(listed), fallback=new_tables_fallback(alert.task_id, len(listed)))


def recovered_reply(alert: TaskAlert, *, now: datetime) -> SlackMessage:
    """Thread: the task is healthy again."""
    return _reply(f":white_check_mark: Recovered after {took(open_for(alert, now))}.")


def revalidate_reply(
    *, user_id: str, tables: int, requests: int, error: str | None, kind: TaskKind = TaskKind.TASK
) -> SlackMessage:
    """Thread: the outcome of an operator's Revalidate click (ReloadTables or, for a DMS
    Serverless replication, ReloadReplicationTables)."""
    if error is not None:
        return _reply(revalidate_failed(user_id, tables, requests, error, kind))
    return _reply(revalidated(user_id, tables, requests, kind))


def ack_reply(*, user_id: str, at: datetime) -> SlackMessage:
    return _reply(f":eyes: {user(user_id)} acknowledged this {slack_date(at)} and is looking into it.")


def snooze_reply(*, user_id: str, until: datetime, kind: TaskKind = TaskKind.TASK) -> SlackMessage:
    return _reply(
        f":zzz: {user(user_id)} snoozed this {noun(kind)} until {slack_date(until)}: no alerts or "
        "reminders until then (recovery is still announced)."
    )


def not_operator_message() -> SlackMessage:
    """Ephemeral: Revalidate is for the configured operators only."""
    return _reply(
        ":no_entry: Only the bot's configured operators may revalidate tables; ask an admin to add "
        "you (or your user group) to `operators`."
    )


def revalidate_not_possible_message(reason: str) -> SlackMessage:
    """Ephemeral: the task is not running, or has no failing tables to re-validate."""
    return _reply(f":information_source: Nothing to revalidate: {escape(reason, 500) or 'no reason given'}.")
