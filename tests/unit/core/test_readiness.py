"""The cutover gate's answer: the one rule that turns checks into "ready", and its document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.models import TaskKind
from bot.core.readiness import Check, CheckName, CheckStatus, Readiness, readiness_document

NOW = datetime(2026, 11, 26, 9, 12, tzinfo=UTC)


def _answer(*statuses: CheckStatus) -> Readiness:
    checks = tuple(
        Check(name, status, f"{name.value} said {status.value}")
        for name, status in zip(CheckName, statuses, strict=True)
    )
    return Readiness("orders-cdc", "arn:aws:dms:eu-west-1:1:task:ABC", TaskKind.TASK, NOW, checks)


@pytest.mark.parametrize(
    ("statuses", "ready"),
    [
        ((CheckStatus.PASS,) * 9, True),
        ((CheckStatus.PASS,) * 8 + (CheckStatus.SKIP,), True),
        ((CheckStatus.PASS,) * 8 + (CheckStatus.UNKNOWN,), False),  # missing data is never ready
        ((CheckStatus.FAIL,) + (CheckStatus.PASS,) * 8, False),
    ],
)
def test_ready_only_when_no_check_fails_and_none_is_unknown(
    statuses: tuple[CheckStatus, ...], ready: bool
) -> None:
    assert _answer(*statuses).ready is ready


def test_blockers_name_failures_before_unknowns() -> None:
    statuses = [CheckStatus.PASS] * 9
    statuses[1] = CheckStatus.UNKNOWN
    statuses[4] = CheckStatus.FAIL
    assert _answer(*statuses).blockers == (
        "cdc_latency: cdc_latency said fail",
        "full_load_complete: full_load_complete said unknown",
    )


def test_document_has_the_contract_fields_and_the_nine_stable_names() -> None:
    doc = readiness_document(_answer(*(CheckStatus.PASS,) * 9))
    assert list(doc) == [
        "task_id",
        "task_arn",
        "kind",
        "ready",
        "checked_at",
        "checks",
        "blockers",
        "caveats",
        "checklist",
    ]
    assert [c["name"] for c in doc["checks"]] == [
        "task_running",
        "full_load_complete",
        "tables_healthy",
        "validation_complete",
        "cdc_latency",
        "failed_rows",
        "apply_exceptions",
        "resync",
        "no_open_incident",
    ]
    assert doc["checked_at"] == "2026-11-26T09:12:00Z" and doc["kind"] == "task" and doc["ready"] is True
