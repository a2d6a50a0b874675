"""The incident's message and its words: the alert posted once and updated in place every sweep,
and its resolved form. Replies in its thread and answers to its buttons are in
:mod:`bot.render.alert_replies`.

Pure like every renderer: the alert state, what the sweep saw and the time come in, a
:class:`SlackMessage` goes out. The caller decides *when* each is sent (see ``bot.core.alerts``).
Headers, button labels and the confirm dialog are plain text of fixed words and numbers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import ButtonElement

from bot.core.alerts import TaskAlert, open_for
from bot.core.models import Task, TaskError, TaskKind, TaskVerdict, Verdict, kind_of_arn
from bot.render import words
from bot.render.buttons import SNOOZE_BUTTON_HOURS, Action, snooze_action, task_scope
from bot.render.failures import failed_rows_button
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
from bot.render.mrkdwn import label, slack_date, user, usergroup
from bot.render.words import NAME_MAX, plural, took

Seen = TaskVerdict | TaskError | None

ALERT_REASONS = 5
ALERT_STATES = 6
ALERT_TABLES = 8
BODY_MAX = 2500
SUMMARY_MAX = 500

FAILING_HEADER = ":red_circle: DMS task failing"
UNCHECKABLE_HEADER = ":warning: DMS task cannot be checked"
SERVERLESS_FAILING_HEADER = ":red_circle: DMS Serverless replication failing"
SERVERLESS_UNCHECKABLE_HEADER = ":warning: DMS Serverless replication cannot be checked"
RESOLVED_HEADER = ":large_green_circle: Resolved"
ACKNOWLEDGE_BUTTON = "Acknowledge"
REVALIDATE_BUTTON = "Revalidate"
CONFIRM_TITLE = "Revalidate tables?"
CONFIRM_YES = "Revalidate"
CONFIRM_NO = "Cancel"


def alert_fallback(task_id: str, kind: str, summary: str, mention: str | None) -> str:
    what = "cannot be checked" if kind == "error" else "is failing"
    text = f"{label(task_id, NAME_MAX)} {what}"
    text += f": {label(summary, 300)}" if summary.strip() else ""
    return f"{usergroup(mention)} {text}" if mention else text


def since(kind: str, opened_at: datetime, span: timedelta, last_checked: datetime | None) -> str:
    state = "Cannot be checked since" if kind == "error" else "Failing since"
    text = f"{state} {slack_date(opened_at)} (for {took(span)})"
    return text + (f" · last checked {slack_date(last_checked)}" if last_checked else "")


def acknowledged(user_id: str, at: datetime | None) -> str:
    when = f" {slack_date(at)}" if at is not None else ""
    return f":eyes: Acknowledged by {user(user_id)}{when}"


def alert_header(alert: TaskAlert) -> str:
    """Plain text: failing or uncheckable, naming a DMS Serverless replication as one."""
    serverless = kind_of_arn(alert.task_arn) is TaskKind.SERVERLESS
    if alert.kind == "error":
        return SERVERLESS_UNCHECKABLE_HEADER if serverless else UNCHECKABLE_HEADER
    return SERVERLESS_FAILING_HEADER if serverless else FAILING_HEADER


def confirm_text(tables: int, *, at_least: bool, kind: TaskKind = TaskKind.TASK) -> str:
    """Plain text (≤300) for the Revalidate confirm dialog: fixed words and a number only."""
    count = f"at least {plural(tables, 'failing table')}" if at_least else plural(tables, "failing table")
    return (
        f"DMS will re-validate {count} of this {words.noun(kind)} ({words.reload_call(kind)}, "
        "validate-only, at most 10 tables per request). Replication keeps running; validation of "
        "those tables starts over."
    )


def gone(kind: TaskKind) -> str:
    """``The task no longer exists`` (or ``The replication …``)."""
    return f"The {words.noun(kind)} no longer exists"


def resolved_line(at: datetime, span: timedelta, *, task_gone: bool, kind: TaskKind = TaskKind.TASK) -> str:
    if task_gone:
        return f":ghost: {gone(kind)} (noticed {slack_date(at)}, after {took(span)})."
    return f"Recovered {slack_date(at)} after {took(span)}."


def resolved_fallback(
    task_id: str, span: timedelta, *, task_gone: bool, kind: TaskKind = TaskKind.TASK
) -> str:
    if task_gone:
        return f"{label(task_id, NAME_MAX)}: {gone(kind).lower()} (after {took(span)})"
    return f"{label(task_id, NAME_MAX)} recovered after {took(span)}"


def _task(alert: TaskAlert, seen: Seen) -> Task:
    if isinstance(seen, TaskVerdict):
        return seen.task
    return Task(identifier=alert.task_id, arn=alert.task_arn, status="")


def _title(alert: TaskAlert, seen: Seen) -> str:
    """The task's console link and its target (escaped here)."""
    target = seen.target if isinstance(seen, TaskVerdict | TaskError) else alert.target
    link_text = words.task_link(_task(alert, seen))
    return f"{link_text} · {label(target, 60)}" if target else link_text


def _body(alert: TaskAlert, seen: Seen) -> Block:
    title = _title(alert, seen)
    if isinstance(seen, TaskVerdict):
        known = words.verdict_lag(seen)
        facts = f"{words.task_facts(seen)} · {known}" if known else words.task_facts(seen)
        lines = [title, facts, *words.reason_lines(seen.reasons, ALERT_REASONS)]
        if seen.by_validation_state:
            counts = words.state_counts(seen.by_validation_state, ALERT_STATES)
            lines.append(words.states_inline(counts))
        tables = words.problem_lines(seen, ALERT_TABLES)
        if tables:
            lines += [words.worst_tables_title(), *tables]
    elif isinstance(seen, TaskError):
        lines = [words.could_not_check(title, label(seen.error, 1500))]
    else:
        lines = [title, f":ghost: {gone(kind_of_arn(alert.task_arn))} in DMS."]
    return section(join_lines(lines, BODY_MAX))


def _failing_tables(alert: TaskAlert, seen: Seen) -> tuple[int, bool]:
    """How many failing tables a Revalidate would cover, and whether that is a lower bound."""
    if isinstance(seen, TaskVerdict):
        failing = sum(1 for p in seen.problem_tables if p.verdict is Verdict.FAILURE)
        return failing, seen.problem_tables_total > len(seen.problem_tables)
    return len(alert.problem_tables), False


def _revalidate_button(arn: str, tables: int, at_least: bool) -> ButtonElement | None:
    dialog = confirm_dialog(
        title=CONFIRM_TITLE,
        text=confirm_text(tables, at_least=at_least, kind=kind_of_arn(arn)),
        confirm=CONFIRM_YES,
        deny=CONFIRM_NO,
    )
    return button(REVALIDATE_BUTTON, Action.REVALIDATE, {"task": arn}, style="danger", confirm=dialog)


def _alert_buttons(alert: TaskAlert, seen: Seen) -> Block | None:
    arn = alert.task_arn
    scope = {"scope": "task", "task": arn}
    tables, at_least = _failing_tables(alert, seen)
    ack = button(ACKNOWLEDGE_BUTTON, Action.ACK, {"task": arn}, style="primary")
    return action_row(
        [
            None if alert.acked_by else ack,
            *(
                button(f"Snooze {h}h", snooze_action(h), {"task": arn, "hours": h})
                for h in SNOOZE_BUTTON_HOURS
            ),
            _revalidate_button(arn, tables, at_least) if tables and seen is not None else None,
            button(words.RECHECK_BUTTON, Action.RECHECK, scope),
            button(words.SHOW_TABLES_BUTTON, Action.SHOW_TABLES, scope),
            failed_rows_button(arn) if _reads_failed_rows(seen) else None,
        ]
    )


def _reads_failed_rows(seen: Seen) -> bool:
    """A database is configured for the task's target, and it has failing tables to ask about."""
    return isinstance(seen, TaskVerdict) and seen.row_failures is not None and bool(seen.problem_tables)


def _status_lines(alert: TaskAlert, seen: Seen, now: datetime, snoozed_until: datetime | None) -> list[str]:
    last = seen.checked_at if isinstance(seen, TaskVerdict) else alert.last_seen_at
    lines = [since(alert.kind, alert.opened_at or now, open_for(alert, now), last or now)]
    if alert.acked_by:
        lines.append(acknowledged(alert.acked_by, alert.acked_at))
    if snoozed_until is not None:
        lines.append(words.snoozed_until(snoozed_until))
    return lines


def summary(alert: TaskAlert, seen: Seen) -> str:
    """One line of what is wrong now: the first reasons, the check error, or the stored summary."""
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
    builder.add(header(alert_header(alert)))
    if mention:
        builder.add(section(f":rotating_light: {usergroup(mention)} please take a look"))
    builder.add(_body(alert, seen), reserve=footer)
    builder.add(*footer)
    return builder.build(alert_fallback(alert.task_id, alert.kind, summary(alert, seen), mention))


def resolved_message(
    alert: TaskAlert, seen: TaskVerdict | TaskError | None, *, now: datetime
) -> SlackMessage:
    """The same message once the incident is over: calm, green, and what it was about."""
    at = alert.resolved_at or now
    span = open_for(alert, now)
    kind = kind_of_arn(alert.task_arn)
    lines = [_title(alert, seen), resolved_line(at, span, task_gone=seen is None, kind=kind)]
    if alert.summary.strip() and not (seen is None and alert.summary == "task no longer exists"):
        lines.append(f"*What was wrong:* {label(alert.summary, SUMMARY_MAX)}")
    notes = [acknowledged(alert.acked_by, alert.acked_at)] if alert.acked_by else []
    if alert.opened_at is not None:
        notes.append(f"Incident opened {slack_date(alert.opened_at)}")
    scope = task_scope(_task(alert, seen)) if isinstance(seen, TaskVerdict) else None
    row = action_row([button(words.SHOW_TABLES_BUTTON, Action.SHOW_TABLES, scope)])
    builder = Builder()
    builder.add(header(RESOLVED_HEADER), section(join_lines(lines, BODY_MAX)))
    builder.add(context(*notes) if notes else None, row)
    return builder.build(resolved_fallback(alert.task_id, span, task_gone=seen is None, kind=kind))
