"""The terminal report: grouped by verdict, worst first, with the problem tables.

Every string from DMS is stripped of control characters first, so a hostile table name cannot
move the cursor, recolour the terminal or hide lines.
"""

from __future__ import annotations

from bot.core.models import Report, TaskError, TaskKind, TaskVerdict, Verdict
from bot.core.report import iso
from bot.render.mrkdwn import printable
from bot.render.words import error_scope, plural

_TABLE_LINES = 10
_TERMINAL_BREAKS = "\t\r\n"  # become spaces; every other control character is dropped


def clean(text: object, limit: int = 200) -> str:
    """Printable, single-line, bounded."""
    out = "".join(printable(str(text), spaced=_TERMINAL_BREAKS))
    return out if len(out) <= limit else out[: limit - 1] + "…"


def summary_line(report: Report) -> str:
    s = report.summary
    return (
        f"{plural(s.tasks, 'task')}: {s.ok} ok · {s.warning} warning · {s.failure} failure"
        f" · {plural(s.errors, 'error')}"
    )


def _name(v: TaskVerdict) -> str:
    """The identifier, marked ``[serverless]`` for a DMS Serverless replication."""
    mark = " [serverless]" if v.task.kind is TaskKind.SERVERLESS else ""
    return clean(v.task.identifier) + mark


def _task_block(v: TaskVerdict) -> list[str]:
    head = (
        f"{v.verdict.label.upper():<8} {_name(v)} ({clean(v.target)})"
        f" · {clean(v.task.status)} · {plural(v.tables_total, 'table')}"
    )
    lines = [head]
    lines += [f"         - {clean(reason, 300)}" for reason in v.reasons]
    if v.by_validation_state and v.verdict is not Verdict.OK:
        counts = ", ".join(f"{clean(k, 40)} {n}" for k, n in v.by_validation_state.items())
        lines.append(f"         by validation state: {counts}")
    for p in v.problem_tables[:_TABLE_LINES]:
        lines.append(
            f"         {clean(p.name, 60):<40} {clean(p.validation_state or '-', 30):<22}"
            f" {clean(p.table_state or '-', 30):<22} failed {p.failed_records}"
            f" · suspended {p.suspended_records} · pending {p.pending_records}"
        )
    hidden = v.problem_tables_total - min(len(v.problem_tables), _TABLE_LINES)
    if hidden > 0:
        lines.append(f"         …and {plural(hidden, 'more problem table')}")
    return lines


def _error_line(e: TaskError) -> str:
    what = clean(e.task_id) if e.task_id else error_scope(unlisted=e.unlisted, kind=e.kind)
    return f"ERROR    {what} ({clean(e.target)}): {clean(e.error, 400)}"


def render_report(report: Report) -> str:
    """The whole report as plain text (no colours: it goes to files and cron mail too)."""
    lines = [
        f"DMS validation · {iso(report.checked_at)} · {report.status.upper()}",
        summary_line(report),
    ]
    for verdict in (Verdict.FAILURE, Verdict.WARNING):
        group = [t for t in report.tasks if t.verdict is verdict]
        if group:
            lines.append("")
            for v in group:
                lines += _task_block(v)
    if report.errors:
        lines.append("")
        lines += [_error_line(e) for e in report.errors]
    healthy = [t for t in report.tasks if t.verdict is Verdict.OK]
    if healthy:
        lines.append("")
        lines += [
            f"OK       {_name(v)} ({clean(v.target)}) · {clean(v.task.status)}"
            f" · {plural(v.tables_total, 'table')}"
            for v in healthy
        ]
    return "\n".join(lines) + "\n"
