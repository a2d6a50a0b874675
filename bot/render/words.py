"""Words and mrkdwn fragments that several message families share: counts, emoji, times, and the
lines about a task or a table that the alert, the report and the task messages all show.

Functions take raw values and return mrkdwn-safe text: anything from DMS or a user is escaped
here, and the only ``<…>`` tokens are dates, mentions and links made by :mod:`bot.render.mrkdwn`.
Each fragment has a fixed ceiling on its length, whatever DMS returns, so callers can reason
about how many fit. Words that only one family says live in that family's module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core.durations import format_duration
from bot.core.models import ProblemTable, Resync, Task, TaskVerdict, Verdict
from bot.render.mrkdwn import bold, console_url, label, link, size, slack_date

NAME_MAX = 100
NAMES_MAX = 10
ID_MAX = 100
TARGET_MAX = 60
STATE_MAX = 50
TABLE_NAME_MAX = 120
REASON_MAX = 200
URL_MAX = 400

RECHECK_BUTTON = "Re-check"
SHOW_TABLES_BUTTON = "Show tables"
SHARE_BUTTON = "Share in channel"

EMOJI = {
    Verdict.FAILURE: ":red_circle:",
    Verdict.WARNING: ":large_yellow_circle:",
    Verdict.OK: ":large_green_circle:",
}
ERROR_EMOJI = ":warning:"
ROW_EMOJI = {
    "ok": ":large_green_circle:",
    "warning": ":large_yellow_circle:",
    "failure": ":red_circle:",
    "error": ERROR_EMOJI,
}
UNKNOWN_EMOJI = ":white_circle:"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def names(raw: Sequence[str], limit: int = NAMES_MAX) -> str:
    """``*a*, *b* …and 3 more`` with every name escaped."""
    shown = ", ".join(bold(label(n, NAME_MAX)) for n in raw[:limit])
    hidden = len(raw) - limit
    return f"{shown} …and {hidden} more" if hidden > 0 else shown


def row_emoji(verdict: str) -> str:
    """The emoji of a stored verdict string; an unknown one is never echoed."""
    return ROW_EMOJI.get(verdict, UNKNOWN_EMOJI)


def took(span: timedelta) -> str:
    """``1h 30m``: never negative, whatever clocks say."""
    return format_duration(max(span.total_seconds(), 0.0))


def as_of(at: datetime) -> str:
    return f"As of {slack_date(at)}"


def snoozed_until(until: datetime) -> str:
    return f":zzz: Snoozed until {slack_date(until)}"


def more(n: int, what: str) -> str:
    return f"…and {n} more {what}"


def more_tasks(n: int) -> str:
    return f"…and {plural(n, 'more task')} with problems — use `/dms status`"


def records(failed: int, suspended: int, pending: int) -> str:
    return f"failed {failed} · suspended {suspended} · pending {pending}"


def states_inline(counts: str) -> str:
    return f"By validation state: {counts}"


def worst_tables_title() -> str:
    return "Worst tables:"


def could_not_check(subject: str, error_text: str) -> str:
    """``subject`` and ``error_text`` are already escaped."""
    return f"{ERROR_EMOJI} {subject} could not be checked:\n{error_text}"


def error_subject(task_id: str | None, target: str, *, unlisted: bool = True) -> str:
    """The task an error is about; for a target-wide one, what could not be done."""
    if task_id is not None:
        name = bold(label(task_id, NAME_MAX))
    else:
        name = "*(listing tasks)*" if unlisted else "*(CDC lag)*"
    where = f" ({label(target, 60)})" if target else ""
    return name + where


def task_link(task: Task) -> str:
    """``*<console|task-id>*``; plain bold id when the URL would be unreasonably long."""
    name = label(task.identifier, ID_MAX)
    url = console_url(task)
    return bold(link(url, name)) if size(url) <= URL_MAX else bold(name)


def task_title(v: TaskVerdict) -> str:
    target = f" · {label(v.target, TARGET_MAX)}" if v.target else ""
    return f"{EMOJI[v.verdict]} {task_link(v.task)}{target}"


def lag(source: float | None, target: float | None) -> str | None:
    """``CDC lag source 4s, target 1h 12m``, or None when CloudWatch gave neither."""
    sides = [
        f"{side} {format_duration(max(seconds, 0.0))}"
        for side, seconds in (("source", source), ("target", target))
        if seconds is not None
    ]
    return f"CDC lag {', '.join(sides)}" if sides else None


def verdict_lag(v: TaskVerdict) -> str | None:
    known = v.cdc_latency
    return lag(known.source_seconds, known.target_seconds) if known else None


def task_facts(v: TaskVerdict) -> str:
    return f"*{v.verdict.label}* · {label(v.task.status, STATE_MAX)} · {plural(v.tables_total, 'table')}"


def reason_lines(reasons: Sequence[str], limit: int) -> list[str]:
    lines = [f"• {label(r, REASON_MAX)}" for r in reasons[:limit]]
    if len(reasons) > limit:
        lines.append(f"• …and {plural(len(reasons) - limit, 'more reason')}")
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


def resync_part(resync: Resync | None) -> str:
    """`` · resync In progress`` / `` · resync Last resync at: … (995 fixed, 5 failed)``; empty when
    DMS reports no data resync (before engine 3.6.1, or not enabled)."""
    if resync is None or not resync.enabled:
        return ""
    counts = []
    if resync.rows_succeeded is not None:
        counts.append(f"{resync.rows_succeeded:,} fixed")
    if resync.rows_failed is not None:
        counts.append(f"{resync.rows_failed:,} failed")
    shown = f" ({', '.join(counts)})" if counts else ""
    return f" · resync {label(resync.state, STATE_MAX)}{shown}"


def problem_line(p: ProblemTable) -> str:
    """``• schema.table — state · failed N · suspended N · pending N[ · resync …]``."""
    return (
        f"• {label(p.name, TABLE_NAME_MAX)} — {_state(p.validation_state, p.table_state)} · "
        f"{records(p.failed_records, p.suspended_records, p.pending_records)}{resync_part(p.resync)}"
    )


def problem_lines(v: TaskVerdict, limit: int) -> list[str]:
    lines = [problem_line(p) for p in v.problem_tables[:limit]]
    hidden = v.problem_tables_total - len(lines)
    if hidden > 0:
        lines.append(f"• …and {plural(hidden, 'more problem table')}")
    return lines
