"""One-task messages and their words: ``/dms status <task>``, ``/dms tables <task> [state]`` and
the "Show tables" answer (each problem task's worst tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.models import TableStats, Task, TaskError, TaskVerdict
from bot.render import words
from bot.render.buttons import Action, plain_state, share_command, task_scope
from bot.render.kit import (
    Block,
    Builder,
    SlackMessage,
    action_row,
    button,
    context,
    header,
    join_lines,
    section,
)
from bot.render.mrkdwn import bold, console_url, label, link, size, user
from bot.render.report import problems
from bot.render.words import NAME_MAX, STATE_MAX, TABLE_NAME_MAX, plural

TASK_REASONS = 10
TASK_STATES = 20
TASK_TABLES = 15
TASK_TABLES_PER_VERDICT = 10

PREVIOUS_BUTTON = "Previous"
NEXT_BUTTON = "Next"


def field(name: str, value: str) -> str:
    """A section field: bold name over its (already safe) value."""
    return f"*{name}*\n{value}"


def task_fallback(name: str, verdict: str, status: str) -> str:
    return f"{label(name, NAME_MAX)}: {verdict} ({label(status, 40)})"


def error_fallback(name: str, error_text: str) -> str:
    return f"{label(name, NAME_MAX)}: could not be checked — {label(error_text, 300)}"


def tables_fallback(name: str, page_line_text: str) -> str:
    return f"{label(name, NAME_MAX)}: {page_line_text}"


def problem_tables_fallback(tables: int, tasks: int) -> str:
    return f"DMS problem tables: {plural(tables, 'table')} in {plural(tasks, 'task')}"


def page_line(page: int, pages: int, total: int, state: str | None) -> str:
    which = f" in state {bold(label(state, 64))}" if state else ""
    return f"{plural(total, 'table')}{which} · page {page + 1} of {pages}"


def no_tables(state: str | None) -> str:
    return f"No tables in state {bold(label(state, 64))}." if state else "No tables."


def no_problem_tables() -> str:
    return ":large_green_circle: No problem tables: every table is validated or on its way."


def more_rows(n: int) -> str:
    return f"…and {plural(n, 'more table')} not shown"


def table_line(t: TableStats) -> str:
    """One row of ``/dms tables``: name, validation state, table state, record counts, data resync."""
    validation = label(t.validation_state, STATE_MAX) if t.validation_state is not None else "-"
    table_state = label(t.table_state, STATE_MAX) if t.table_state is not None else "-"
    return (
        f"• {bold(label(t.name, TABLE_NAME_MAX))} — {validation} · {table_state} · "
        f"{words.records(t.failed_records, t.suspended_records, t.pending_records)}"
        f"{words.resync_part(t.resync)}"
    )


def _task_buttons(task: Task) -> Block | None:
    scope = task_scope(task)
    return action_row(
        [
            button(words.RECHECK_BUTTON, Action.RECHECK, scope, style="primary"),
            button(words.SHOW_TABLES_BUTTON, Action.SHOW_TABLES, scope),
            button(words.SHARE_BUTTON, Action.SHARE, share_command("status", task)),
        ]
    )


def _footer(task: Task | None, at: datetime | None, note: str | None, rechecked_by: str | None) -> Block:
    bits = [words.as_of(at)] if at is not None else []
    if note:
        bits.append(label(note, 300))
    if rechecked_by:
        bits.append(f"Re-checked by {user(rechecked_by)}")
    if task is not None and size(console_url(task)) <= words.URL_MAX:
        bits.append(link(console_url(task), "Open in the AWS console"))
    return context(" · ".join(bits) or "DMS")


def _verdict_blocks(v: TaskVerdict) -> list[Block]:
    facts = [
        field("Verdict", f"{words.EMOJI[v.verdict]} {v.verdict.label}"),
        field("Status", label(v.task.status, STATE_MAX)),
        field("Tables", str(v.tables_total)),
        field("Records", words.records(v.failed_records, v.suspended_records, v.pending_records)),
    ]
    known = words.verdict_lag(v)
    if known:
        facts.append(field("CDC lag", known.removeprefix("CDC lag ")))
    blocks = [section(words.task_title(v), fields=facts)]
    if v.reasons:
        blocks.append(section(join_lines(["*Reasons*", *words.reason_lines(v.reasons, TASK_REASONS)])))
    if v.by_validation_state:
        counts = words.state_counts(v.by_validation_state, TASK_STATES)
        blocks.append(section(join_lines(["*By validation state*", counts])))
    return blocks


def task_message(
    outcome: TaskVerdict | TaskError,
    *,
    cached_at: datetime | None = None,
    note: str | None = None,
    rechecked_by: str | None = None,
) -> SlackMessage:
    """``/dms status <task>``: the verdict and its evidence, with Re-check, Show tables and Share.

    ``note`` is plain text (escaped); ``rechecked_by`` is a user ID, shown as a mention.
    """
    if isinstance(outcome, TaskError):
        return _task_error_message(outcome, cached_at=cached_at, note=note, rechecked_by=rechecked_by)
    v = outcome
    builder = Builder()
    footer = [_footer(v.task, cached_at or v.checked_at, note, rechecked_by)]
    row = _task_buttons(v.task)
    footer += [row] if row is not None else []
    for block in _verdict_blocks(v):
        builder.add(block, reserve=footer)
    tables = words.problem_lines(v, TASK_TABLES)
    if tables:
        builder.add_lines(["*Problem tables*", *tables], more=more_rows, reserve=footer)
    builder.add(*footer)
    return builder.build(task_fallback(v.task.identifier, v.verdict.label, v.task.status))


def _task_error_message(
    e: TaskError, *, cached_at: datetime | None, note: str | None, rechecked_by: str | None
) -> SlackMessage:
    subject = words.error_subject(e.task_id, e.target, unlisted=e.unlisted)
    body = section(words.could_not_check(subject, label(e.error, 1500)))
    task = Task(identifier=e.task_id or "", arn=e.task_arn or "", status="") if e.task_id else None
    footer = _footer(None, cached_at, note, rechecked_by)
    row = _task_buttons(task) if task is not None else None
    builder = Builder()
    builder.add(body, footer, row)
    return builder.build(error_fallback(e.task_id or e.target, e.error))


def _page_buttons(task: Task, state: str | None, page: int, pages: int) -> Block | None:
    """Previous/Next where there is such a page, and Share. A state filter that is not plain text
    is not echoed into button values: no paging or sharing of it, only this page."""
    echo = plain_state(state)
    if state is not None and echo is None:
        return None

    def to(n: int) -> dict[str, Any]:
        return {"task": task.arn, "page": n} | ({"state": echo} if echo is not None else {})

    return action_row(
        [
            button(PREVIOUS_BUTTON, Action.TABLES_PAGE, to(page - 1)) if page > 0 else None,
            button(NEXT_BUTTON, Action.TABLES_PAGE, to(page + 1)) if page + 1 < pages else None,
            button(words.SHARE_BUTTON, Action.SHARE, share_command("tables", task, *(echo or "").split())),
        ]
    )


def tables_message(
    task: Task,
    tables: Sequence[TableStats],
    *,
    state: str | None,
    page: int,
    page_size: int = 20,
    total: int,
) -> SlackMessage:
    """One page of ``/dms tables``. ``tables`` is this page's rows (the caller slices); ``total``
    counts every matching table, for "page X of Y" and the Previous/Next buttons."""
    page_size = max(page_size, 1)
    pages = max(1, -(-max(total, 0) // page_size))
    page = min(max(page, 0), pages - 1)
    rows = [table_line(t) for t in tables[:page_size]]
    builder = Builder()
    footer = [b for b in [_page_buttons(task, state, page, pages)] if b is not None]
    builder.add(header("DMS tables"))
    title = f"{words.task_link(task)} · {page_line(page, pages, total, state)}"
    builder.add(section(title if rows else f"{title}\n{no_tables(state)}"), reserve=footer)
    builder.add_lines(rows, more=more_rows, reserve=footer)
    builder.add(*footer)
    return builder.build(tables_fallback(task.identifier, page_line(page, pages, total, state)))


def _problem_task_lines(v: TaskVerdict) -> list[str]:
    title = f"{words.task_title(v)} — {plural(v.problem_tables_total, 'problem table')}"
    return [title, *words.problem_lines(v, TASK_TABLES_PER_VERDICT)]


def problem_tables_message(verdicts: Sequence[TaskVerdict]) -> SlackMessage:
    """The "Show tables" answer: each problem task's worst tables, worst task first."""
    builder = Builder()
    builder.add(header("DMS problem tables"))
    with_tables = [v for v in problems(verdicts) if v.problem_tables_total]
    more = words.more_tasks
    shown = 0
    for v in with_tables:
        block = section(join_lines(_problem_task_lines(v)))
        if not builder.add(block, reserve=[context(more(len(with_tables)))]):
            break
        shown += 1
    if shown < len(with_tables):
        builder.add(context(more(len(with_tables) - shown)))
    if not with_tables:
        builder.add(section(no_problem_tables()))
    total = sum(v.problem_tables_total for v in with_tables)
    return builder.build(problem_tables_fallback(total, len(with_tables)))
