"""The cutover gate's checks on the target database, data resync and the bot's own alerts, and the
one function that turns everything gathered into a :class:`Readiness`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.cutover import (
    ControlRows,
    Cutoff,
    IncidentState,
    LatencyWindow,
    TargetRows,
    cdc_latency,
    full_load_complete,
    plural,
    tables_healthy,
    task_running,
    validation_complete,
)
from bot.core.models import TableStats, Task
from bot.core.readiness import Check, CheckName, CheckStatus, Readiness
from bot.core.task_settings import TaskSettings

FAILURE_TABLES = "awsdms_validation_failures_v1/_v2"
EXCEPTIONS_TABLE = "awsdms_apply_exceptions"


@dataclass(frozen=True, slots=True)
class GateInputs:
    """Everything the gate judges, gathered by ``bot.app.cutover``."""

    task: Task
    tables: tuple[TableStats, ...]
    settings: TaskSettings
    latency: LatencyWindow
    rows: TargetRows
    incident: IncidentState
    failures_cutoff: Cutoff = field(default_factory=Cutoff)
    exceptions_cutoff: Cutoff = field(default_factory=Cutoff)
    max_lag: float = 5.0
    steady: float = 300.0


def failed_rows(rows: TargetRows, cutoff: Cutoff) -> Check:
    """No row for the task in v1 or v2 newer than the cutoff (rows fixed by DMS's resync excepted)."""
    return _control(CheckName.FAILED_ROWS, rows, rows.failures, cutoff, FAILURE_TABLES, "failed row")


def apply_exceptions(rows: TargetRows, cutoff: Cutoff) -> Check:
    """No row for the task in ``awsdms_apply_exceptions`` (newer than ``--since`` when given)."""
    return _control(
        CheckName.APPLY_EXCEPTIONS, rows, rows.exceptions, cutoff, EXCEPTIONS_TABLE, "apply exception"
    )


def _control(
    name: CheckName, rows: TargetRows, found: ControlRows | None, cutoff: Cutoff, table: str, noun: str
) -> Check:
    if rows.not_configured:
        return Check(name, CheckStatus.SKIP, f"not read: {rows.not_configured}")
    if rows.error:
        return Check(name, CheckStatus.UNKNOWN, rows.error)
    if found is None:
        return Check(name, CheckStatus.SKIP, f"the target has no {table}")
    where = " + ".join(found.read) or table
    fixed = f" ({found.fixed_by_resync:,} fixed by resync not counted)" if found.fixed_by_resync else ""
    if found.counted:
        newest = f", newest {found.newest:%Y-%m-%d %H:%M} UTC" if found.newest else ""
        return Check(
            name, CheckStatus.FAIL, f"{plural(found.counted, noun)} in {where}{cutoff.words()}{newest}{fixed}"
        )
    return Check(name, CheckStatus.PASS, f"0 {noun}s in {where}{cutoff.words()}{fixed}")


def resync(tables: Sequence[TableStats], settings: TaskSettings) -> Check:
    """DMS data resync not Pending / In progress, and no row it failed to fix; not enabled = skip."""
    name = CheckName.RESYNC
    reported = [t for t in tables if t.resync is not None and t.resync.enabled]
    if not reported:
        if settings.resync_enabled:
            return Check(
                name,
                CheckStatus.UNKNOWN,
                "resync is enabled in the task settings but DMS reports no Resync state",
            )
        return Check(name, CheckStatus.SKIP, "data resync is not enabled")
    running = [t for t in reported if t.resync is not None and t.resync.running]
    if running:
        shown = ", ".join(f"{t.name} ({t.resync.state})" for t in running[:3] if t.resync)
        return Check(
            name,
            CheckStatus.FAIL,
            f"resync running on {plural(len(running), 'table')} (CDC and validation pause meanwhile): {shown}",
        )
    failed = [t for t in reported if t.resync is not None and (t.resync.rows_failed or 0) > 0]
    if failed:
        total = sum((t.resync.rows_failed or 0) for t in failed if t.resync)
        return Check(
            name,
            CheckStatus.FAIL,
            f"{plural(total, 'row')} failed to resync on {', '.join(t.name for t in failed[:3])}",
        )
    fixed = sum((t.resync.rows_succeeded or 0) for t in reported if t.resync)
    return Check(
        name,
        CheckStatus.PASS,
        f"no resync running; {fixed:,} rows fixed, 0 failed ({len(reported):,} tables)",
    )


def no_open_incident(incident: IncidentState) -> Check:
    name = CheckName.NO_OPEN_INCIDENT
    if incident.absent:
        return Check(name, CheckStatus.SKIP, f"not read: {incident.why_unknown}")
    if not incident.known:
        return Check(name, CheckStatus.UNKNOWN, incident.why_unknown or "the bot's alerts could not be read")
    if incident.open:
        since = f" since {incident.since:%Y-%m-%d %H:%M} UTC" if incident.since else ""
        return Check(name, CheckStatus.FAIL, f"open alert{since}: {incident.summary}".rstrip(": "))
    return Check(name, CheckStatus.PASS, "no open alert")


def caveats(inputs: GateInputs) -> tuple[str, ...]:
    """What the gate could not see, in words people act on."""
    found: list[str] = []
    if inputs.rows.not_configured:
        found.append(f"failed rows and apply exceptions not read: {inputs.rows.not_configured}")
    for table in inputs.rows.absent:
        found.append(f"no {table} readable on the target (absent, or not granted on MySQL): not checked")
    if inputs.settings.unreadable:
        found.append(f"task settings not read ({inputs.settings.unreadable}): LOB validation unknown")
    if inputs.settings.lob_caveat:
        found.append(f"LOBs not fully validated: {inputs.settings.lob_caveat}")
    if inputs.incident.absent:
        found.append(f"the bot's open alerts not read: {inputs.incident.why_unknown}")
    return tuple(found)


def judge(inputs: GateInputs, *, now: datetime, checklist: Sequence[str] = ()) -> Readiness:
    """The nine checks in their stable order, the caveats and the checklist."""
    task, tables = inputs.task, inputs.tables
    checks = (
        task_running(task),
        full_load_complete(task, tables),
        tables_healthy(tables),
        validation_complete(tables, inputs.settings),
        cdc_latency(task, inputs.latency, max_lag=inputs.max_lag, steady=inputs.steady),
        failed_rows(inputs.rows, inputs.failures_cutoff),
        apply_exceptions(inputs.rows, inputs.exceptions_cutoff),
        resync(tables, inputs.settings),
        no_open_incident(inputs.incident),
    )
    return Readiness(
        task_id=task.identifier,
        task_arn=task.arn,
        kind=task.kind,
        checked_at=now,
        checks=checks,
        caveats=caveats(inputs),
        checklist=tuple(checklist),
    )
