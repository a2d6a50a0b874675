"""The cutover gate's nine checks, as pure functions of plain values (DESIGN.md "The cutover gate").

``bot.app.cutover`` gathers the values (DMS, CloudWatch, the target database, the store); each
function here turns some of them into one :class:`Check` with its evidence. A check that lacks the
data to judge is ``unknown``, never ``pass``: a ready answer must never come from missing data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.durations import format_duration
from bot.core.models import TableStats, Task
from bot.core.readiness import Check, CheckName, CheckStatus
from bot.core.task_settings import TaskSettings

CDC_TYPES = frozenset({"cdc", "full-load-and-cdc"})
FULL_LOAD_FINISHED = "FULL_LOAD_ONLY_FINISHED"
COMPLETED = "Table completed"
UNHEALTHY_TABLE_STATES = (
    "Table error",
    "Table cancelled",
    "Table does not exist",
    "Table is being reloaded",
    "Before load",
)
NAMED = 3  # tables named in a detail before "and N more"

Point = tuple[datetime, float]


@dataclass(frozen=True, slots=True)
class LatencyWindow:
    """CloudWatch's CDC latency datapoints over the ``steady`` window (1-minute periods)."""

    source: tuple[Point, ...] = ()
    target: tuple[Point, ...] = ()
    error: str | None = None  # CloudWatch could not be read: the one line why
    expected: int = 0  # datapoints a full window holds (steady / 60)


@dataclass(frozen=True, slots=True)
class Cutoff:
    """Rows older than ``at`` no longer count (superseded by a revalidation, or before the freeze)."""

    at: datetime | None = None
    why: str = ""  # "the write freeze (--since)", "the revalidation of ... by ..."

    def words(self) -> str:
        if self.at is None:
            return f" ({self.why})" if self.why else ""
        return f" after {self.at:%Y-%m-%d %H:%M} UTC ({self.why})"


@dataclass(frozen=True, slots=True)
class ControlRows:
    """What one of the target's control tables holds for the task after the cutoff."""

    counted: int  # rows that block
    newest: datetime | None = None
    read: tuple[str, ...] = ()  # control tables read
    fixed_by_resync: int = 0  # v2 rows DMS's data resync fixed: not counted


@dataclass(frozen=True, slots=True)
class TargetRows:
    """The target database's answer for ``failed_rows`` and ``apply_exceptions``, or why there is none.

    ``failures``/``exceptions`` None with no ``error`` and no ``not_configured``: that table is absent.
    """

    failures: ControlRows | None = None
    exceptions: ControlRows | None = None
    absent: tuple[str, ...] = ()  # control tables the target does not have
    error: str | None = None  # configured but unreadable: the same line ``failures`` prints
    not_configured: str | None = None  # no [[databases]] entry for the target


@dataclass(frozen=True, slots=True)
class IncidentState:
    """The bot's own alert on the task: ``known`` False when the store could not be read or is absent."""

    known: bool
    open: bool = False
    summary: str = ""
    since: datetime | None = None
    why_unknown: str = ""
    absent: bool = False  # no store at all here (a CLI run on another machine): skipped, not unknown


def task_running(task: Task) -> Check:
    """Running in CDC, or a full-load-only task finished without error; no failure message."""
    name, status = CheckName.TASK_RUNNING, task.status
    if task.last_failure_message:
        return Check(name, CheckStatus.FAIL, f"{status}, last failure: {task.last_failure_message}")
    if task.migration_type == "full-load":
        if status == "stopped" and FULL_LOAD_FINISHED in (task.stop_reason or ""):
            return Check(name, CheckStatus.PASS, "full-load-only task finished (FULL_LOAD_ONLY_FINISHED)")
        return Check(name, CheckStatus.FAIL, f"full-load-only task is {status}, not finished")
    if status == "unknown" or not task.migration_type:
        return Check(name, CheckStatus.UNKNOWN, "DMS did not say the task's status or migration type")
    if status == "running":
        return Check(name, CheckStatus.PASS, f"running, {task.migration_type} (in CDC)")
    reason = f" ({task.stop_reason})" if task.stop_reason else ""
    return Check(name, CheckStatus.FAIL, f"task is {status}{reason}, not running")


def full_load_complete(task: Task, tables: Sequence[TableStats]) -> Check:
    """Every table ``Table completed``, counted per table."""
    name = CheckName.FULL_LOAD_COMPLETE
    if task.migration_type == "cdc":
        return Check(name, CheckStatus.SKIP, "CDC-only task: no full load")
    if not tables:
        return Check(name, CheckStatus.UNKNOWN, "DMS listed no table for the task")
    unreported = [t for t in tables if t.table_state is None]
    loading = [t for t in tables if t.table_state is not None and t.table_state != COMPLETED]
    if loading:
        shown = _names(loading, lambda t: t.table_state or "")
        return Check(
            name, CheckStatus.FAIL, f"{len(loading):,} of {len(tables):,} tables not completed: {shown}"
        )
    if unreported:
        return Check(name, CheckStatus.UNKNOWN, f"DMS sent no TableState for {_names(unreported)}")
    return Check(name, CheckStatus.PASS, f"{len(tables):,} of {len(tables):,} tables Table completed")


def tables_healthy(tables: Sequence[TableStats]) -> Check:
    """No table in error, cancelled, missing, being reloaded or before load."""
    name = CheckName.TABLES_HEALTHY
    if not tables:
        return Check(name, CheckStatus.UNKNOWN, "DMS listed no table for the task")
    bad = [t for t in tables if (t.table_state or "") in UNHEALTHY_TABLE_STATES]
    if bad:
        return Check(
            name,
            CheckStatus.FAIL,
            f"{plural(len(bad), 'table')} unhealthy: {_names(bad, lambda t: t.table_state or '')}",
        )
    return Check(
        name, CheckStatus.PASS, f"no table in error, cancelled, missing or reloading ({len(tables):,} tables)"
    )


def validation_complete(tables: Sequence[TableStats], settings: TaskSettings) -> Check:
    """Validation enabled, every table ``Validated`` with 0 pending, failed and suspended records."""
    name = CheckName.VALIDATION_COMPLETE
    states = {t.validation_state for t in tables}
    if settings.validation_enabled is False or (tables and states == {"Not enabled"}):
        return Check(
            name, CheckStatus.FAIL, "validation is not enabled on the task: nothing vouches for the data"
        )
    if not tables:
        return Check(name, CheckStatus.UNKNOWN, "DMS listed no table for the task")
    if any(t.counts_unreadable for t in tables):
        return Check(name, CheckStatus.UNKNOWN, "DMS sent validation counts the bot cannot read")
    open_ = [t for t in tables if t.validation_state != "Validated" or _records(t)]
    if open_:
        failed = sum(t.failed_records for t in tables)
        suspended = sum(t.suspended_records for t in tables)
        pending = sum(t.pending_records for t in tables)
        counts = f"{failed:,} failed, {suspended:,} suspended, {pending:,} pending records"
        shown = _names(open_, lambda t: t.validation_state or "no state")
        done = len(tables) - len(open_)
        return Check(
            name, CheckStatus.FAIL, f"{done:,} of {len(tables):,} tables Validated; {counts}: {shown}"
        )
    return Check(
        name,
        CheckStatus.PASS,
        f"{len(tables):,} of {len(tables):,} tables Validated, 0 failed, 0 suspended, 0 pending",
    )


def cdc_latency(task: Task, window: LatencyWindow, *, max_lag: float, steady: float) -> Check:
    """Both CDC latency metrics at most ``max_lag`` at every datapoint of the ``steady`` window."""
    name = CheckName.CDC_LATENCY
    if task.migration_type == "full-load":
        return Check(name, CheckStatus.SKIP, "full-load-only task: no CDC")
    if window.error:
        return Check(name, CheckStatus.UNKNOWN, window.error)
    span, limit = format_duration(steady), _seconds(max_lag)
    over: list[tuple[float, datetime, str]] = []
    for metric, points in (("CDCLatencySource", window.source), ("CDCLatencyTarget", window.target)):
        if not points:
            return Check(name, CheckStatus.UNKNOWN, f"no {metric} datapoints in the last {span}")
        if len(points) < (window.expected + 1) // 2:
            too_few = f"only {len(points)} {metric} datapoints in the last {span} (too few to vouch)"
            return Check(name, CheckStatus.UNKNOWN, too_few)
        over += [(value, at, metric) for at, value in points if value > max_lag]
    if over:
        value, at, metric = max(over)  # the highest lag; of equal ones, the newest
        total = len(window.source) + len(window.target)
        detail = (
            f"{metric} {_seconds(value)} at {_clock(at)} > {limit} ({len(over)} of {total} datapoints over)"
        )
        return Check(name, CheckStatus.FAIL, detail)
    high_s = max(v for _, v in window.source)
    high_t = max(v for _, v in window.target)
    return Check(
        name,
        CheckStatus.PASS,
        f"CDCLatencySource ≤ {_seconds(high_s)}, CDCLatencyTarget ≤ {_seconds(high_t)} "
        f"over the last {span} ({len(window.target)} datapoints, limit {limit})",
    )


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _records(t: TableStats) -> int:
    return t.failed_records + t.suspended_records + t.pending_records


def _names(tables: Sequence[TableStats], why: Callable[[TableStats], str] | None = None) -> str:
    """``sales.orders (Full load), crm.x (Before load) and 4 more``."""
    shown = []
    for t in tables[:NAMED]:
        reason = why(t) if why else ""
        shown.append(f"{t.name} ({reason})" if reason else t.name)
    more = len(tables) - NAMED
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M")
