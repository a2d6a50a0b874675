"""The bot's values to table rows and back. The column types (:mod:`bot.store.schema`) convert
datetimes and JSON for each backend; this module only maps fields to columns, in one place."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy.engine import RowMapping as Row

from bot.core.alerts import TaskAlert
from bot.core.models import CdcLatency, Report, TaskError, TaskVerdict
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.store.base import AuditEntry, OutboxItem, PendingProgress

ALERT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(TaskAlert))


def alert_params(alert: TaskAlert) -> dict[str, Any]:
    """Every TaskAlert field, as a row of the alerts table."""
    params: dict[str, Any] = asdict(alert)
    params["problem_tables"] = list(alert.problem_tables)
    return params


def alert_from(row: Row) -> TaskAlert:
    values: dict[str, Any] = {name: row[name] for name in ALERT_COLUMNS}
    values["open"], values["announced"] = bool(values["open"]), bool(values["announced"])
    values["problem_tables"] = tuple(values["problem_tables"])
    return TaskAlert(**values)


def sweep_params(report: Report) -> dict[str, Any]:
    s = report.summary
    return {
        "checked_at": report.checked_at,
        "status": report.status,
        "tasks": s.tasks,
        "ok": s.ok,
        "warning": s.warning,
        "failure": s.failure,
        "errors": s.errors,
        "duration_seconds": report.duration_seconds,
    }


def _latency(lag: CdcLatency | None) -> dict[str, float | None]:
    source, target = (None, None) if lag is None else (lag.source_seconds, lag.target_seconds)
    return {"cdc_source_seconds": source, "cdc_target_seconds": target}


def verdict_params(report: Report, sweep_id: int) -> list[dict[str, Any]]:
    """One compact row per checked task, then one per task (or target) that could not be checked."""
    rows = [_verdict_row(t) for t in report.tasks]
    rows += [_error_row(e, report.checked_at) for e in report.errors]
    return [{"sweep_id": sweep_id, "seq": position, **row} for position, row in enumerate(rows)]


def _verdict_row(t: TaskVerdict) -> dict[str, Any]:
    return {
        "checked_at": t.checked_at,
        "target": t.target,
        "task_arn": t.task.arn,
        "task_id": t.task.identifier,
        "verdict": t.verdict.label,
        "status": t.task.status,
        "tables_total": t.tables_total,
        "failed_records": t.failed_records,
        "suspended_records": t.suspended_records,
        "pending_records": t.pending_records,
        "problem_tables": t.problem_tables_total,
        "reasons": list(t.reasons),
        **_latency(t.cdc_latency),
    }


def _error_row(e: TaskError, checked_at: datetime) -> dict[str, Any]:
    counts = ("tables_total", "failed_records", "suspended_records", "pending_records", "problem_tables")
    return {
        "checked_at": checked_at,
        "target": e.target,
        "task_arn": e.task_arn,
        "task_id": e.task_id or "",
        "verdict": "error",
        "status": "",
        **dict.fromkeys(counts, 0),
        "reasons": [e.error],
        **_latency(None),
    }


def sweep_from(row: Row) -> SweepRow:
    names = ("id", "checked_at", "status", "tasks", "ok", "warning", "failure", "errors", "duration_seconds")
    return SweepRow(**{name: row[name] for name in names})


def verdict_from(row: Row) -> VerdictRow:
    values = {f.name: row[f.name] for f in fields(VerdictRow)}
    values["reasons"] = tuple(values["reasons"])
    return VerdictRow(**values)


def snooze_from(row: Row) -> Snooze:
    return Snooze(task_arn=row["task_arn"], until=row["until"], by=row["by"], at=row["at"])


def audit_from(row: Row) -> AuditEntry:
    return AuditEntry(**{f.name: row[f.name] for f in fields(AuditEntry)})


def progress_from(row: Row) -> PendingProgress:
    return PendingProgress(table=row["table_name"], pending=row["pending"], since=row["since"])


def outbox_from(row: Row) -> OutboxItem:
    return OutboxItem(**{f.name: row[f.name] for f in fields(OutboxItem)})
