"""The report document's CDC latency field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.core.evaluate import evaluate
from bot.core.models import CdcLatency, Report, TableStats, Task
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
