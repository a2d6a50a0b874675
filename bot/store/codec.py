"""Python values to SQLite columns and back. Kept apart from the SQL so the round-trip rules
(UTC ISO text for datetimes, JSON text for structures, 0/1 for booleans) live in one place."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from bot.core.alerts import TaskAlert
from bot.core.models import CdcLatency, Report, TaskError, TaskVerdict
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.store.base import AuditEntry, OutboxItem, PendingProgress


def when(value: datetime) -> str:
    """Fixed-width UTC text, so SQL can compare and sort it as text and it parses back exactly."""
    if value.tzinfo is None:
        raise ValueError(f"the store needs timezone-aware datetimes, got naive {value!r}")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def when_opt(value: datetime | None) -> str | None:
    return None if value is None else when(value)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def parse_opt(text: str | None) -> datetime | None:
    return None if text is None else parse(text)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads_opt(text: str | None) -> Any:
    return None if text is None else json.loads(text)


ALERT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(TaskAlert))
_ALERT_TIMES = frozenset({"opened_at", "resolved_at", "last_seen_at", "last_reminded_at", "acked_at"})
_ALERT_BOOLS = frozenset({"open", "announced"})


def alert_params(alert: TaskAlert) -> dict[str, Any]:
    """Every TaskAlert field, as a named-parameter mapping for the alerts table."""
    params: dict[str, Any] = asdict(alert)
    for name in _ALERT_TIMES:
        params[name] = when_opt(params[name])
    for name in _ALERT_BOOLS:
        params[name] = int(params[name])
    params["problem_tables"] = dumps(list(alert.problem_tables))
    return params


def alert_from(row: sqlite3.Row) -> TaskAlert:
    values: dict[str, Any] = {name: row[name] for name in ALERT_COLUMNS}
    for name in _ALERT_TIMES:
        values[name] = parse_opt(values[name])
    for name in _ALERT_BOOLS:
        values[name] = bool(values[name])
    values["problem_tables"] = tuple(json.loads(values["problem_tables"]))
    return TaskAlert(**values)


def sweep_params(report: Report) -> tuple[Any, ...]:
    s = report.summary
    return (
        when(report.checked_at),
        report.status,
        s.tasks,
        s.ok,
        s.warning,
        s.failure,
        s.errors,
        report.duration_seconds,
    )


def _latency(lag: CdcLatency | None) -> tuple[float | None, float | None]:
    return (None, None) if lag is None else (lag.source_seconds, lag.target_seconds)


def verdict_params(report: Report, sweep_id: int) -> list[tuple[Any, ...]]:
    """One compact row per checked task, then one per task (or target) that could not be checked."""
    rows = [_verdict_row(t) for t in report.tasks]
    rows += [_error_row(e, report.checked_at) for e in report.errors]
    return [(sweep_id, position, *row) for position, row in enumerate(rows)]


def _verdict_row(t: TaskVerdict) -> tuple[Any, ...]:
    return (
        when(t.checked_at),
        t.target,
        t.task.arn,
        t.task.identifier,
        t.verdict.label,
        t.task.status,
        t.tables_total,
        t.failed_records,
        t.suspended_records,
        t.pending_records,
        t.problem_tables_total,
        dumps(list(t.reasons)),
        *_latency(t.cdc_latency),
    )


def _error_row(e: TaskError, checked_at: datetime) -> tuple[Any, ...]:
    error = dumps([e.error])
    return (
        when(checked_at),
        e.target,
        e.task_arn,
        e.task_id or "",
        "error",
        "",
        0,
        0,
        0,
        0,
        0,
        error,
        None,
        None,
    )


def sweep_from(row: sqlite3.Row) -> SweepRow:
    return SweepRow(
        id=row["id"],
        checked_at=parse(row["checked_at"]),
        status=row["status"],
        tasks=row["tasks"],
        ok=row["ok"],
        warning=row["warning"],
        failure=row["failure"],
        errors=row["errors"],
        duration_seconds=row["duration_seconds"],
    )


def verdict_from(row: sqlite3.Row) -> VerdictRow:
    return VerdictRow(
        sweep_id=row["sweep_id"],
        checked_at=parse(row["checked_at"]),
        target=row["target"],
        task_arn=row["task_arn"],
        task_id=row["task_id"],
        verdict=row["verdict"],
        status=row["status"],
        tables_total=row["tables_total"],
        failed_records=row["failed_records"],
        suspended_records=row["suspended_records"],
        pending_records=row["pending_records"],
        problem_tables=row["problem_tables"],
        reasons=tuple(json.loads(row["reasons"])),
        cdc_source_seconds=row["cdc_source_seconds"],
        cdc_target_seconds=row["cdc_target_seconds"],
    )


def snooze_from(row: sqlite3.Row) -> Snooze:
    return Snooze(task_arn=row["task_arn"], until=parse(row["until"]), by=row["by"], at=parse(row["at"]))


def audit_from(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=parse(row["at"]),
        user_id=row["user_id"],
        action=row["action"],
        task_arn=row["task_arn"],
        detail=row["detail"],
    )


def progress_from(row: sqlite3.Row) -> PendingProgress:
    return PendingProgress(table=row["table_name"], pending=row["pending"], since=parse(row["since"]))


def outbox_from(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        destination=row["destination"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        key=row["key"],
        created_at=parse(row["created_at"]),
        attempts=row["attempts"],
        next_attempt_at=parse(row["next_attempt_at"]),
        status=row["status"],
        last_error=row["last_error"],
        result=loads_opt(row["result"]),
    )
