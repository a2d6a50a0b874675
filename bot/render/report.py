"""Fleet-wide messages: the scheduled channel report and ``/dms status``, with their words.

A fleet too big for one message is summarised ("…and 37 more tasks with problems"), never
rejected: the footer (sweep time, buttons) and the error list are sized first and reserved, then
task sections are added worst first while the budget lasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.models import Report, Summary, TaskError, TaskVerdict, Verdict
from bot.render import words
from bot.render.buttons import Action, encode_value, is_task_arn
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
from bot.render.mrkdwn import escape, label, slack_date, user
from bot.render.words import plural

REPORT_REASONS = 3
REPORT_STATES = 6
REPORT_TABLES = 5
TASK_SECTION_MAX = 2000
ERRORS_MAX = 10
ERRORS_SECTION_MAX = 2000


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


def fleet_fallback(s: Summary) -> str:
    return "DMS fleet: " + summary_line(s).replace("*", "")


def checked(at: datetime) -> str:
    return f"Checked {slack_date(at)}"


def rechecked(user_id: str, at: datetime | None) -> str:
    when = f" {slack_date(at)}" if at is not None else ""
    return f"re-checked by {user(user_id)}{when}"


def errors_title() -> str:
    return "*Could not check:*"


def more_errors(n: int) -> str:
    return f"…and {plural(n, 'more error')} — use `/dms status`"


def more_fleet(n: int) -> str:
    return f"…and {n} more — use `/dms status {escape('<task>')}` for one task"


def severity(v: TaskVerdict) -> tuple[int, int, int, str]:
    """Sort key, worst first: verdict, bad records, problem tables, then name for stability."""
    return (
        -int(v.verdict),
        -(v.failed_records + v.suspended_records),
        -v.problem_tables_total,
        v.task.identifier,
    )


def problems(tasks: Sequence[TaskVerdict]) -> list[TaskVerdict]:
    """Failing then warning tasks, worst first."""
    return sorted((t for t in tasks if t.verdict is not Verdict.OK), key=severity)


def _scope(arns: Sequence[str | None]) -> dict[str, Any]:
    """Exactly these tasks when every ARN is valid and the list fits a button, else all tasks."""
    unique = list(dict.fromkeys(arns))
    if unique and all(is_task_arn(a) for a in unique):
        value: dict[str, Any] = {"scope": "tasks", "tasks": unique}
        try:
            encode_value(value)
        except ValueError:
            return {"scope": "all"}
        return value
    return {"scope": "all"}


def _report_task(v: TaskVerdict) -> Block:
    lines = [words.task_title(v), words.task_facts(v), *words.reason_lines(v.reasons, REPORT_REASONS)]
    if v.by_validation_state:
        lines.append(words.states_inline(words.state_counts(v.by_validation_state, REPORT_STATES)))
    tables = words.problem_lines(v, REPORT_TABLES)
    if tables:
        lines += [words.worst_tables_title(), *tables]
    return section(join_lines(lines, TASK_SECTION_MAX))


def _error_line(e: TaskError) -> str:
    return f"• {words.error_subject(e.task_id, e.target, unlisted=e.unlisted, kind=e.kind)}: {label(e.error, 300)}"


def _errors_section(errors: Sequence[TaskError]) -> Block | None:
    if not errors:
        return None
    lines = [errors_title(), *(_error_line(e) for e in errors[:ERRORS_MAX])]
    if len(errors) > ERRORS_MAX:
        lines.append(more_errors(len(errors) - ERRORS_MAX))
    return section(join_lines(lines, ERRORS_SECTION_MAX))


def _report_footer(report: Report, rechecked_by: str | None, rechecked_at: datetime | None) -> list[Block]:
    when = checked(report.checked_at)
    if rechecked_by is not None:
        when += " · " + rechecked(rechecked_by, rechecked_at)
    arns = [t.task.arn for t in report.tasks] + [e.task_arn for e in report.errors]
    problem_arns = [t.task.arn for t in problems(report.tasks) if t.problem_tables_total]
    buttons = [button(words.RECHECK_BUTTON, Action.RECHECK, _scope(arns), style="primary")]
    if problem_arns:
        buttons.append(button(words.SHOW_TABLES_BUTTON, Action.SHOW_TABLES, _scope(problem_arns)))
    row = action_row(buttons)
    return [context(when), *([row] if row is not None else [])]


def report_message(
    report: Report, *, rechecked_by: str | None = None, rechecked_at: datetime | None = None
) -> SlackMessage:
    """The scheduled channel report: status, problem tasks worst first, errors, time, buttons."""
    summary = report.summary
    builder = Builder()
    builder.add(header(report_title(summary)))
    builder.add(section(summary_line(summary, report.duration_seconds)))
    footer = _report_footer(report, rechecked_by, rechecked_at)
    errors = _errors_section(report.errors)
    reserve = [*footer, *([errors] if errors else [])]
    problem = problems(report.tasks)
    more = context(words.more_tasks(len(problem)))
    shown = 0
    for v in problem:
        if not builder.add(_report_task(v), reserve=[*reserve, more]):
            break
        shown += 1
    if shown < len(problem):
        builder.add(context(words.more_tasks(len(problem) - shown)), reserve=reserve)
    builder.add(errors, reserve=footer)
    builder.add(*footer)
    names = [v.task.identifier for v in problem] + [e.task_id or e.target for e in report.errors]
    return builder.build(report_fallback(summary, names))


def _fleet_line(v: TaskVerdict) -> str:
    first = f" — {label(v.reasons[0], words.REASON_MAX)}" if v.reasons else ""
    return f"{words.task_title(v)} · {words.task_facts(v)}{first}"


def _fleet_error_line(e: TaskError) -> str:
    return f"{words.ERROR_EMOJI} {words.error_subject(e.task_id, e.target, unlisted=e.unlisted, kind=e.kind)}: {label(e.error, 200)}"


def fleet_message(report: Report) -> SlackMessage:
    """``/dms status``: the summary, then one line per task, worst first, capped."""
    summary = report.summary
    builder = Builder()
    builder.add(header(report_title(summary)))
    builder.add(section(summary_line(summary, report.duration_seconds)))
    footer = [context(checked(report.checked_at))]
    row = action_row(
        [
            button(words.RECHECK_BUTTON, Action.RECHECK, {"scope": "all"}),
            button(words.SHARE_BUTTON, Action.SHARE, {"command": "status"}),
        ]
    )
    footer += [row] if row is not None else []
    healthy = sorted((t for t in report.tasks if t.verdict is Verdict.OK), key=severity)
    lines = [
        *(_fleet_line(v) for v in problems(report.tasks)),
        *(_fleet_error_line(e) for e in report.errors),
        *(_fleet_line(v) for v in healthy),
    ]
    builder.add_lines(lines, more=more_fleet, reserve=footer)
    builder.add(*footer)
    return builder.build(fleet_fallback(summary))
