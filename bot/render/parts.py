"""Mrkdwn fragments about tasks and tables, shared by every message that shows them.

Each fragment has a fixed ceiling on its length, whatever DMS returns, so callers can reason
about how many fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.models import ProblemTable, TableStats, Task, TaskError, TaskVerdict, Verdict
from bot.render import messages
from bot.render.actions import is_task_arn
from bot.render.mrkdwn import bold, console_url, label, link, size

ID_MAX = 100
TARGET_MAX = 60
STATE_MAX = 50
TABLE_NAME_MAX = 120
REASON_MAX = 200
URL_MAX = 400
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,254}")
_STATE = re.compile(r"[A-Za-z0-9 ._()-]{1,64}")


def task_link(task: Task) -> str:
    """``*<console|task-id>*``; plain bold id when the URL would be unreasonably long."""
    name = label(task.identifier, ID_MAX)
    url = console_url(task)
    return bold(link(url, name)) if size(url) <= URL_MAX else bold(name)


def task_title(v: TaskVerdict) -> str:
    target = f" · {label(v.target, TARGET_MAX)}" if v.target else ""
    return f"{messages.EMOJI[v.verdict]} {task_link(v.task)}{target}"


def task_facts(v: TaskVerdict) -> str:
    return (
        f"*{v.verdict.label}* · {label(v.task.status, STATE_MAX)} · "
        f"{messages.plural(v.tables_total, 'table')}"
    )


def reason_lines(reasons: Sequence[str], limit: int) -> list[str]:
    lines = [f"• {label(r, REASON_MAX)}" for r in reasons[:limit]]
    if len(reasons) > limit:
        lines.append(f"• {messages.more_reasons(len(reasons) - limit)}")
    return lines


def state_counts(by_state: Mapping[str, int], limit: int) -> str:
    """``Validated 118 · Mismatched records 2``, most frequent first."""
    ordered = sorted(by_state.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = " · ".join(f"{label(k, STATE_MAX)} {n}" for k, n in ordered[:limit])
    hidden = len(ordered) - limit
    return f"{shown} · …{hidden} more states" if hidden > 0 else shown


def _state(validation: str | None, table_state: str | None) -> str:
    shown = label(validation, STATE_MAX) if validation is not None else "no validation state"
    if table_state is not None and table_state != "Table completed":
        shown += f" ({label(table_state, STATE_MAX)})"
    return shown


def problem_line(p: ProblemTable) -> str:
    """``• schema.table — state · failed N · suspended N · pending N``."""
    return (
        f"• {label(p.name, TABLE_NAME_MAX)} — {_state(p.validation_state, p.table_state)} · "
        f"{messages.records(p.failed_records, p.suspended_records, p.pending_records)}"
    )


def table_line(t: TableStats) -> str:
    """One row of ``/dms tables``: name, validation state, table state, record counts."""
    validation = label(t.validation_state, STATE_MAX) if t.validation_state is not None else "-"
    table_state = label(t.table_state, STATE_MAX) if t.table_state is not None else "-"
    return (
        f"• {bold(label(t.name, TABLE_NAME_MAX))} — {validation} · {table_state} · "
        f"{messages.records(t.failed_records, t.suspended_records, t.pending_records)}"
    )


def problem_lines(v: TaskVerdict, limit: int) -> list[str]:
    lines = [problem_line(p) for p in v.problem_tables[:limit]]
    hidden = v.problem_tables_total - len(lines)
    if hidden > 0:
        lines.append(f"• {messages.more_tables(hidden)}")
    return lines


def error_line(e: TaskError) -> str:
    return f"• {messages.error_subject(e.task_id, e.target)}: {label(e.error, 300)}"


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


def share_command(verb: str, task: Task, *extra: str) -> dict[str, Any] | None:
    """The Share button's value: the command again, naming the task by identifier (by ARN when
    the identifier is not a plain DMS one), or None when the task cannot be named at all."""
    if _IDENTIFIER.fullmatch(task.identifier):
        name = task.identifier
    elif is_task_arn(task.arn):
        name = task.arn
    else:
        return None
    return {"command": " ".join([verb, name, *extra])}


def plain_state(state: str | None) -> str | None:
    """A state filter fit to echo back in a button value (letters, digits, spaces, ``._()-``)."""
    return state if state is not None and _STATE.fullmatch(state) else None


def task_scope(task: Task) -> dict[str, Any] | None:
    """``{"scope": "task", "task": arn}``, or None when the ARN is not one a button may carry."""
    return {"scope": "task", "task": task.arn} if is_task_arn(task.arn) else None
