"""Fleet-wide messages: the scheduled channel report and ``/dms status``.

A fleet too big for one message is summarised ("…and 37 more tasks with problems"), never
rejected: the footer (sweep time, buttons) and the error list are sized first and reserved, then
task sections are added worst first while the budget lasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.models import Report, TaskError, TaskVerdict, Verdict
from bot.render import actions, messages, parts
from bot.render.actions import RECHECK, SHARE, SHOW_TABLES, is_task_arn
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
from bot.render.mrkdwn import label

REPORT_REASONS = 3
REPORT_STATES = 6
REPORT_TABLES = 5
TASK_SECTION_MAX = 2000
ERRORS_MAX = 10
ERRORS_SECTION_MAX = 2000


def _scope(arns: Sequence[str | None]) -> dict[str, Any]:
    """Exactly these tasks when every ARN is valid and the list fits a button, else all tasks."""
    unique = list(dict.fromkeys(arns))
    if unique and all(is_task_arn(a) for a in unique):
        value: dict[str, Any] = {"scope": "tasks", "tasks": unique}
        try:
            actions.encode_value(value)
        except ValueError:
            return {"scope": "all"}
        return value
    return {"scope": "all"}


def _report_task(v: TaskVerdict) -> Block:
    lines = [parts.task_title(v), parts.task_facts(v), *parts.reason_lines(v.reasons, REPORT_REASONS)]
    if v.by_validation_state:
        lines.append(messages.states_inline(parts.state_counts(v.by_validation_state, REPORT_STATES)))
    tables = parts.problem_lines(v, REPORT_TABLES)
    if tables:
        lines += [messages.worst_tables_title(), *tables]
    return section(join_lines(lines, TASK_SECTION_MAX))


def _errors_section(errors: Sequence[TaskError]) -> Block | None:
    if not errors:
        return None
    lines = [messages.errors_title(), *(parts.error_line(e) for e in errors[:ERRORS_MAX])]
    if len(errors) > ERRORS_MAX:
        lines.append(messages.more_errors(len(errors) - ERRORS_MAX))
    return section(join_lines(lines, ERRORS_SECTION_MAX))


def _report_footer(report: Report, rechecked_by: str | None, rechecked_at: datetime | None) -> list[Block]:
    when = messages.checked(report.checked_at)
    if rechecked_by is not None:
        when += " · " + messages.rechecked(rechecked_by, rechecked_at)
    arns = [t.task.arn for t in report.tasks] + [e.task_arn for e in report.errors]
    problem_arns = [t.task.arn for t in parts.problems(report.tasks) if t.problem_tables_total]
    buttons = [button(messages.RECHECK, RECHECK, _scope(arns), style="primary")]
    if problem_arns:
        buttons.append(button(messages.SHOW_TABLES, SHOW_TABLES, _scope(problem_arns)))
    row = action_row(buttons)
    return [context(when), *([row] if row is not None else [])]


def report_message(
    report: Report, *, rechecked_by: str | None = None, rechecked_at: datetime | None = None
) -> SlackMessage:
    """The scheduled channel report: status, problem tasks worst first, errors, time, buttons."""
    summary = report.summary
    builder = Builder()
    builder.add(header(messages.report_title(summary)))
    builder.add(section(messages.summary_line(summary, report.duration_seconds)))
    footer = _report_footer(report, rechecked_by, rechecked_at)
    errors = _errors_section(report.errors)
    reserve = [*footer, *([errors] if errors else [])]
    problem = parts.problems(report.tasks)
    more = context(messages.more_tasks(len(problem)))
    shown = 0
    for v in problem:
        if not builder.add(_report_task(v), reserve=[*reserve, more]):
            break
        shown += 1
    if shown < len(problem):
        builder.add(context(messages.more_tasks(len(problem) - shown)), reserve=reserve)
    builder.add(errors, reserve=footer)
    builder.add(*footer)
    names = [v.task.identifier for v in problem] + [e.task_id or e.target for e in report.errors]
    return builder.build(messages.report_fallback(summary, names))


def _fleet_line(v: TaskVerdict) -> str:
    first = f" — {label(v.reasons[0], parts.REASON_MAX)}" if v.reasons else ""
    return f"{parts.task_title(v)} · {parts.task_facts(v)}{first}"


def _fleet_error_line(e: TaskError) -> str:
    return f"{messages.ERROR_EMOJI} {messages.error_subject(e.task_id, e.target)}: {label(e.error, 200)}"


def fleet_message(report: Report) -> SlackMessage:
    """``/dms status``: the summary, then one line per task, worst first, capped."""
    summary = report.summary
    builder = Builder()
    builder.add(header(messages.report_title(summary)))
    builder.add(section(messages.summary_line(summary, report.duration_seconds)))
    footer = [context(messages.checked(report.checked_at))]
    row = action_row(
        [
            button(messages.RECHECK, RECHECK, {"scope": "all"}),
            button(messages.SHARE, SHARE, {"command": "status"}),
        ]
    )
    footer += [row] if row is not None else []
    healthy = sorted((t for t in report.tasks if t.verdict is Verdict.OK), key=parts.severity)
    lines = [
        *(_fleet_line(v) for v in parts.problems(report.tasks)),
        *(_fleet_error_line(e) for e in report.errors),
        *(_fleet_line(v) for v in healthy),
    ]
    builder.add_lines(lines, more=messages.more_fleet, reserve=footer)
    builder.add(*footer)
    return builder.build(messages.fleet_fallback(summary))
