"""Every sentence the bot says in Slack, as small functions (like bolt-python's logger/messages.py).

Functions take raw values and return mrkdwn-safe text: anything from DMS or a user is escaped
here, and the only ``<…>`` tokens are dates, mentions and links made by ``mrkdwn``.
Header and button wording is plain text with fixed words and numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.durations import format_duration
from bot.core.models import Summary, Verdict
from bot.render.mrkdwn import bold, escape, label, slack_date, user

NAME_MAX = 100
LIST_MAX = 10

RECHECK = "Re-check"
SHOW_TABLES = "Show tables"
SHARE = "Share in channel"
PREVIOUS = "Previous"
NEXT = "Next"

EMOJI = {
    Verdict.FAILURE: ":red_circle:",
    Verdict.WARNING: ":large_yellow_circle:",
    Verdict.OK: ":large_green_circle:",
}
ERROR_EMOJI = ":warning:"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def _names(names: Sequence[str], limit: int = LIST_MAX) -> str:
    shown = ", ".join(bold(label(n, NAME_MAX)) for n in names[:limit])
    hidden = len(names) - limit
    return f"{shown} …and {hidden} more" if hidden > 0 else shown


def report_title(s: Summary) -> str:
    """Plain-text header: the overall status in fixed words and numbers."""
    if s.failure or s.errors:
        parts = [plural(s.failure, "task") + " failing"] if s.failure else []
        if s.errors:
            parts.append(plural(s.errors, "task") + " not checked")
        return ":red_circle: DMS validation: " + ", ".join(parts)
    if s.warning:
        return f":large_yellow_circle: DMS validation: {s.warning} of {plural(s.tasks, 'task')} with warnings"
    if s.tasks:
        whole = "the only task" if s.tasks == 1 else f"all {s.tasks} tasks"
        return f":large_green_circle: DMS validation: {whole} healthy"
    return ":white_circle: DMS validation: no tasks found"


def report_fallback(s: Summary, problem_names: Sequence[str]) -> str:
    """The notification text: the header's words plus the first few task names."""
    title = report_title(s).split(" ", 1)[1]
    names = ", ".join(label(n, 60) for n in problem_names[:3])
    more = " …" if len(problem_names) > 3 else ""
    return f"{title} ({names}{more})" if names else title


def summary_line(s: Summary, duration_seconds: float | None = None) -> str:
    took = f" · took {format_duration(duration_seconds)}" if duration_seconds is not None else ""
    return (
        f"*{plural(s.tasks, 'task')}:* {s.ok} ok · {plural(s.warning, 'warning')} · "
        f"{s.failure} failing · {plural(s.errors, 'error')}{took}"
    )


def checked(at: datetime) -> str:
    return f"Checked {slack_date(at)}"


def as_of(at: datetime) -> str:
    return f"As of {slack_date(at)}"


def rechecked(user_id: str, at: datetime | None) -> str:
    when = f" {slack_date(at)}" if at is not None else ""
    return f"re-checked by {user(user_id)}{when}"


def rechecking(user_id: str, at: datetime) -> str:
    return f":hourglass_flowing_sand: Re-checking… requested by {user(user_id)} {slack_date(at, '{time}')}"


def rechecking_fallback() -> str:
    return "Re-checking DMS validation…"


def shared_by(user_id: str) -> str:
    return f"Shared by {user(user_id)}"


def more_tasks(n: int) -> str:
    return f"…and {plural(n, 'more task')} with problems — use `/dms status`"


def more_fleet(n: int) -> str:
    return f"…and {n} more — use `/dms status {escape('<task>')}` for one task"


def more_errors(n: int) -> str:
    return f"…and {plural(n, 'more error')} — use `/dms status`"


def more_tables(n: int) -> str:
    return f"…and {plural(n, 'more problem table')}"


def more_rows(n: int) -> str:
    return f"…and {plural(n, 'more table')} not shown"


def more_reasons(n: int) -> str:
    return f"…and {plural(n, 'more reason')}"


def field(name: str, value: str) -> str:
    """A section field: bold name over its (already safe) value."""
    return f"*{name}*\n{value}"


def reasons_title() -> str:
    return "*Reasons*"


def states_title() -> str:
    return "*By validation state*"


def states_inline(counts: str) -> str:
    return f"By validation state: {counts}"


def worst_tables_title() -> str:
    return "Worst tables:"


def problem_tables_title() -> str:
    return "*Problem tables*"


def console_link_text() -> str:
    return "Open in the AWS console"


def could_not_check(subject: str, error_text: str) -> str:
    """``subject`` and ``error_text`` are already escaped."""
    return f"{ERROR_EMOJI} {subject} could not be checked:\n{error_text}"


def task_fallback(name: str, verdict: str, status: str) -> str:
    return f"{label(name, NAME_MAX)}: {verdict} ({label(status, 40)})"


def error_fallback(name: str, error_text: str) -> str:
    return f"{label(name, NAME_MAX)}: could not be checked — {label(error_text, 300)}"


def tables_fallback(name: str, page_line_text: str) -> str:
    return f"{label(name, NAME_MAX)}: {page_line_text}"


def problem_tables_fallback(tables: int, tasks: int) -> str:
    return f"DMS problem tables: {plural(tables, 'table')} in {plural(tasks, 'task')}"


def errors_title() -> str:
    return "*Could not check:*"


def error_subject(task_id: str | None, target: str) -> str:
    name = bold(label(task_id, NAME_MAX)) if task_id is not None else "*(listing tasks)*"
    where = f" ({label(target, 60)})" if target else ""
    return name + where


def records(failed: int, suspended: int, pending: int) -> str:
    return f"failed {failed} · suspended {suspended} · pending {pending}"


def page_line(page: int, pages: int, total: int, state: str | None) -> str:
    which = f" in state {bold(label(state, 64))}" if state else ""
    return f"{plural(total, 'table')}{which} · page {page + 1} of {pages}"


def no_tables(state: str | None) -> str:
    return f"No tables in state {bold(label(state, 64))}." if state else "No tables."


def no_problem_tables() -> str:
    return ":large_green_circle: No problem tables: every table is validated or on its way."


def tables_header() -> str:
    return "DMS tables"


def problem_tables_header() -> str:
    return "DMS problem tables"


def fleet_fallback(s: Summary) -> str:
    return "DMS fleet: " + summary_line(s).replace("*", "")


def help_lines() -> list[str]:
    task, state = escape("<task>"), escape("[state]")
    return [
        "*`/dms` commands*",
        "• `/dms help` — this list",
        "• `/dms status` — every task's verdict, worst first",
        f"• `/dms status {task}` — one task: status, verdict, counts by validation state, problem tables",
        f"• `/dms tables {task} {state}` — the task's tables, optionally only those in a validation state",
        f"• `/dms check {escape('[task]')}` — a fresh check now, for one task or all of them",
        f"• `/dms history {task}` — the task's recent verdicts and record counts, as a chart",
        "A task is named by identifier, ARN or a unique prefix.",
    ]


def help_problem(problem: str) -> str:
    return f":grey_question: {escape(problem, 200)}"


def help_fallback() -> str:
    return escape(
        "DMS bot commands: help · status · status <task> · tables <task> [state] · check [task] · history <task>"
    )


def unknown_task(name: str, suggestions: Sequence[str]) -> str:
    text = f":mag: No task called {bold(label(name, NAME_MAX))}."
    if suggestions:
        text += f" Did you mean {_names(suggestions)}?"
    return text + " `/dms status` lists every task."


def ambiguous_task(name: str, candidates: Sequence[str]) -> str:
    return (
        f":mag: {bold(label(name, NAME_MAX))} matches {plural(len(candidates), 'task')}: "
        f"{_names(candidates)}. Use the full identifier or ARN."
    )


def denied() -> str:
    return (
        ":no_entry: You're not allowed to use the DMS bot here; ask an admin to add you to "
        "`allowed_users` (or this channel to `allowed_channels`)."
    )


def error(text: str, data_from: datetime | None = None) -> str:
    shown = f" Showing data from {slack_date(data_from)}." if data_from is not None else ""
    return f"{ERROR_EMOJI} {escape(text, 1500)}{shown}"


def not_watched() -> str:
    return ":no_entry: That button names a task this bot does not watch; nothing was done."


def stale_button() -> str:
    return ":warning: That button's data is not valid; it was ignored."


def already_resolved() -> str:
    return "This alert is already resolved; nothing to acknowledge."


def task_gone() -> str:
    return "That task no longer exists."


def internal_error(what: str) -> str:
    return f"Something went wrong {what}; the bot logged the details."


def dms_throttled(last_sweep_at: datetime | None, detail: str) -> str:
    """Honest about stale data: DMS said no, and when the last complete sweep was."""
    when = f" The last complete sweep is from {last_sweep_at:%Y-%m-%d %H:%M} UTC." if last_sweep_at else ""
    return f"DMS is throttling API calls right now, so no fresh data could be fetched.{when} ({detail})"


def showing_last_sweep() -> str:
    return "DMS is throttling API calls right now, so this is the last sweep's result"


def cannot_list(detail: str) -> str:
    return f"DMS could not list the replication tasks right now ({detail})."


def revalidate_just_sent() -> str:
    return "a revalidation of this task was sent moments ago (see the alert's thread); try again in a few minutes"
