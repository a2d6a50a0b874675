"""One-task messages: ``/dms status <task>``, ``/dms tables <task> [state]`` and "Show tables"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.models import TableStats, Task, TaskError, TaskVerdict
from bot.render import messages, parts
from bot.render.actions import RECHECK, SHARE, SHOW_TABLES, TABLES_PAGE
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
from bot.render.mrkdwn import console_url, label, link, size

TASK_REASONS = 10
TASK_STATES = 20
TASK_TABLES = 15
TASK_TABLES_PER_VERDICT = 10


def _task_buttons(task: Task) -> Block | None:
    scope = parts.task_scope(task)
    return action_row(
        [
            button(messages.RECHECK, RECHECK, scope, style="primary"),
            button(messages.SHOW_TABLES, SHOW_TABLES, scope),
            button(messages.SHARE, SHARE, parts.share_command("status", task)),
        ]
    )


def _footer(task: Task | None, at: datetime | None, note: str | None) -> Block:
    bits = [messages.as_of(at)] if at is not None else []
    if note:
        bits.append(label(note, 300))
    if task is not None and size(console_url(task)) <= parts.URL_MAX:
        bits.append(link(console_url(task), messages.console_link_text()))
    return context(" · ".join(bits) or "DMS")


def _verdict_blocks(v: TaskVerdict) -> list[Block]:
    facts = [
        messages.field("Verdict", f"{messages.EMOJI[v.verdict]} {v.verdict.label}"),
        messages.field("Status", label(v.task.status, parts.STATE_MAX)),
        messages.field("Tables", str(v.tables_total)),
        messages.field("Records", messages.records(v.failed_records, v.suspended_records, v.pending_records)),
    ]
    blocks = [section(parts.task_title(v), fields=facts)]
    if v.reasons:
        blocks.append(
            section(join_lines([messages.reasons_title(), *parts.reason_lines(v.reasons, TASK_REASONS)]))
        )
    if v.by_validation_state:
        counts = parts.state_counts(v.by_validation_state, TASK_STATES)
        blocks.append(section(join_lines([messages.states_title(), counts])))
    return blocks


def task_message(
    outcome: TaskVerdict | TaskError, *, cached_at: datetime | None = None, note: str | None = None
) -> SlackMessage:
    """``/dms status <task>``: the verdict and its evidence, with Re-check, Show tables and Share."""
    if isinstance(outcome, TaskError):
        return _task_error_message(outcome, cached_at=cached_at, note=note)
    v = outcome
    builder = Builder()
    footer = [_footer(v.task, cached_at or v.checked_at, note)]
    row = _task_buttons(v.task)
    footer += [row] if row is not None else []
    for block in _verdict_blocks(v):
        builder.add(block, reserve=footer)
    tables = parts.problem_lines(v, TASK_TABLES)
    if tables:
        builder.add_lines([messages.problem_tables_title(), *tables], more=messages.more_rows, reserve=footer)
    builder.add(*footer)
    return builder.build(messages.task_fallback(v.task.identifier, v.verdict.label, v.task.status))


def _task_error_message(e: TaskError, *, cached_at: datetime | None, note: str | None) -> SlackMessage:
    subject = messages.error_subject(e.task_id, e.target)
    body = section(messages.could_not_check(subject, label(e.error, 1500)))
    task = Task(identifier=e.task_id or "", arn=e.task_arn or "", status="") if e.task_id else None
    footer = _footer(None, cached_at, note)
    row = _task_buttons(task) if task is not None else None
    builder = Builder()
    builder.add(body, footer, row)
    return builder.build(messages.error_fallback(e.task_id or e.target, e.error))


def _page_buttons(task: Task, state: str | None, page: int, pages: int) -> Block | None:
    """Previous/Next where there is such a page, and Share. A state filter that is not plain text
    is not echoed into button values: no paging or sharing of it, only this page."""
    echo = parts.plain_state(state)
    if state is not None and echo is None:
        return None

    def to(n: int) -> dict[str, Any]:
        return {"task": task.arn, "page": n} | ({"state": echo} if echo is not None else {})

    return action_row(
        [
            button(messages.PREVIOUS, TABLES_PAGE, to(page - 1)) if page > 0 else None,
            button(messages.NEXT, TABLES_PAGE, to(page + 1)) if page + 1 < pages else None,
            button(messages.SHARE, SHARE, parts.share_command("tables", task, *(echo or "").split())),
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
    rows = [parts.table_line(t) for t in tables[:page_size]]
    builder = Builder()
    footer = [b for b in [_page_buttons(task, state, page, pages)] if b is not None]
    builder.add(header(messages.tables_header()))
    title = f"{parts.task_link(task)} · {messages.page_line(page, pages, total, state)}"
    builder.add(section(title if rows else f"{title}\n{messages.no_tables(state)}"), reserve=footer)
    builder.add_lines(rows, more=messages.more_rows, reserve=footer)
    builder.add(*footer)
    return builder.build(
        messages.tables_fallback(task.identifier, messages.page_line(page, pages, total, state))
    )


def _problem_task_lines(v: TaskVerdict) -> list[str]:
    title = f"{parts.task_title(v)} — {messages.plural(v.problem_tables_total, 'problem table')}"
    return [title, *parts.problem_lines(v, TASK_TABLES_PER_VERDICT)]


def problem_tables_message(verdicts: Sequence[TaskVerdict]) -> SlackMessage:
    """The "Show tables" answer: each problem task's worst tables, worst task first."""
    builder = Builder()
    builder.add(header(messages.problem_tables_header()))
    with_tables = [v for v in parts.problems(verdicts) if v.problem_tables_total]
    more = messages.more_tasks
    shown = 0
    for v in with_tables:
        block = section(join_lines(_problem_task_lines(v)))
        if not builder.add(block, reserve=[context(more(len(with_tables)))]):
            break
        shown += 1
    if shown < len(with_tables):
        builder.add(context(more(len(with_tables) - shown)))
    if not with_tables:
        builder.add(section(messages.no_problem_tables()))
    total = sum(v.problem_tables_total for v in with_tables)
    return builder.build(messages.problem_tables_fallback(total, len(with_tables)))
