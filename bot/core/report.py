"""The report document (DESIGN.md, "Report document"): what ``check --format json`` prints and the
webhook receives. Field names here are a public contract: add, never rename or remove."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.failures import RowFailures, table_document
from bot.core.models import CdcLatency, ProblemTable, Report, Resync, TaskError, TaskVerdict

SCHEMA_VERSION = 1


def iso(moment: datetime) -> str:
    """UTC, second precision, ``Z`` suffix: ``2026-11-26T09:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _problem_table(p: ProblemTable, failures: RowFailures | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": p.schema,
        "table": p.table,
        "validation_state": p.validation_state,
        "table_state": p.table_state,
        "failed_records": p.failed_records,
        "suspended_records": p.suspended_records,
        "pending_records": p.pending_records,
        "verdict": p.verdict.label,
        "reason": p.reason,
    }
    if p.validation_state_details:
        doc["validation_state_details"] = p.validation_state_details
    if failures is not None:
        doc["failures"] = table_document(failures, p.schema, p.table)
    if p.resync is not None:
        doc["resync"] = resync_document(p.resync)
    return doc


def resync_document(r: Resync) -> dict[str, Any]:
    """``problem_tables[].resync``: DMS data resync as TableStatistics reports it."""
    return {
        "state": r.state,
        "rows_attempted": r.rows_attempted,
        "rows_succeeded": r.rows_succeeded,
        "rows_failed": r.rows_failed,
    }


def task_document(v: TaskVerdict) -> dict[str, Any]:
    return {
        "target": v.target,
        "kind": v.task.kind.value,
        "task_id": v.task.identifier,
        "task_arn": v.task.arn,
        "status": v.task.status,
        "migration_type": v.task.migration_type,
        "verdict": v.verdict.label,
        "reasons": list(v.reasons),
        "tables": {"total": v.tables_total, "by_validation_state": dict(v.by_validation_state)},
        "records": {
            "failed": v.failed_records,
            "suspended": v.suspended_records,
            "pending": v.pending_records,
        },
        "problem_tables": [_problem_table(p, v.row_failures) for p in v.problem_tables],
        "problem_tables_total": v.problem_tables_total,
        "cdc_latency": _latency(v.cdc_latency),
    }


def _latency(latency: CdcLatency | None) -> dict[str, float | None]:
    """Always both keys; null when CloudWatch had no datapoint or was not asked."""
    if latency is None:
        latency = CdcLatency()
    return {"source_seconds": latency.source_seconds, "target_seconds": latency.target_seconds}


def error_document(e: TaskError) -> dict[str, Any]:
    return {
        "target": e.target,
        "task_id": e.task_id,
        "task_arn": e.task_arn,
        "error": e.error,
        "kind": e.kind,
    }


def to_document(report: Report) -> dict[str, Any]:
    """The JSON-ready report document."""
    s = report.summary
    doc: dict[str, Any] = {
        "status": report.status,
        "checked_at": iso(report.checked_at),
        "summary": {
            "tasks": s.tasks,
            "ok": s.ok,
            "warning": s.warning,
            "failure": s.failure,
            "errors": s.errors,
        },
        "tasks": [task_document(t) for t in report.tasks],
        "errors": [error_document(e) for e in report.errors],
        "schema_version": SCHEMA_VERSION,
    }
    if report.duration_seconds is not None:
        doc["duration_seconds"] = round(report.duration_seconds, 3)
    return doc
