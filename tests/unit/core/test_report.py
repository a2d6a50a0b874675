"""The report document's CDC latency field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.evaluate import evaluate
from bot.core.models import CdcLatency, Report, TableStats, Task
from bot.core.parse import to_table_stats
from bot.core.report import to_document

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TASK = Task("orders-cdc", "arn:aws:dms:eu-west-1:123456789012:task:ABC", "running", "cdc")


@pytest.mark.parametrize(
    ("latency", "expected"),
    [
        (None, {"source_seconds": None, "target_seconds": None}),  # not fetched
        (CdcLatency(), {"source_seconds": None, "target_seconds": None}),  # fetched, no datapoints
        (CdcLatency(target_seconds=4500.0), {"source_seconds": None, "target_seconds": 4500.0}),
        (CdcLatency(0.0, 12.5), {"source_seconds": 0.0, "target_seconds": 12.5}),
    ],
)
def test_every_task_carries_cdc_latency(
    latency: CdcLatency | None, expected: dict[str, float | None]
) -> None:
    """``tasks[].cdc_latency`` is always there, with both keys, null when unknown, and survives JSON."""
    verdict = evaluate(TASK, [TableStats("s", "t", "Table completed", "Validated")], now=NOW)
    doc = to_document(Report(checked_at=NOW, tasks=(replace(verdict, cdc_latency=latency),)))
    [task] = json.loads(json.dumps(doc))["tasks"]
    assert task["cdc_latency"] == expected


def test_every_task_names_its_kind_from_its_arn() -> None:
    serverless = Task("orders-sls", "arn:aws:dms:eu-west-1:123456789012:replication-config:XYZ", "running")
    tasks = tuple(evaluate(task, [], now=NOW, target="t") for task in (TASK, serverless))
    doc = to_document(Report(checked_at=NOW, tasks=tasks))
    assert [t["kind"] for t in doc["tasks"]] == ["task", "serverless"]


def test_a_problem_table_carries_resync_only_when_dms_reports_it() -> None:
    raw = {
        "SchemaName": "sales",
        "TableName": "orders",
        "TableState": "Table completed",
        "ValidationState": "Mismatched records",
        "ValidationFailedRecords": 1000,
        "ResyncState": "Last resync at: 2024-03-14T06:00:00Z",
        "ResyncRowsAttempted": 1000,
        "ResyncRowsSucceeded": 995,
        "ResyncRowsFailed": 5,
    }
    old = {k: v for k, v in raw.items() if not k.startswith("Resync")}
    tables = [to_table_stats(raw), to_table_stats({**old, "TableName": "lines"})]
    doc = to_document(Report(checked_at=NOW, tasks=(evaluate(TASK, tables, now=NOW, target="t"),)))
    by_name = {p["table"]: p for p in doc["tasks"][0]["problem_tables"]}
    assert by_name["orders"]["resync"] == {
        "state": "Last resync at: 2024-03-14T06:00:00Z",
        "rows_attempted": 1000,
        "rows_succeeded": 995,
        "rows_failed": 5,
    }
    assert "resync" not in by_name["lines"]
