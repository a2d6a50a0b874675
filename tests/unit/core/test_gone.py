"""A deprovisioned replication keeps the verdict its tables last earned (plain values)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.gone import with_last_known
from bot.core.models import Task, TaskVerdict, Verdict
from bot.core.records import VerdictRow

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
ARN = "arn:aws:dms:eu-west-1:123456789012:replication-config:RES1"
GONE = "statistics gone: deprovisioned on 2026-12-06 08:00 UTC"


def current(deprovisioned: bool = True, verdict: Verdict = Verdict.WARNING) -> TaskVerdict:
    task = Task("orders-serverless", ARN, "stopped", "full-load", deprovisioned=deprovisioned)
    return TaskVerdict("prod", task, verdict, (GONE,), 0, {}, (), 0, NOW)


def row(verdict: str, reasons: tuple[str, ...], tables: int = 120) -> VerdictRow:
    return VerdictRow(
        1, NOW, "prod", ARN, "orders-serverless", verdict, "running", tables, 3, 0, 0, 1, reasons
    )


@pytest.mark.parametrize(
    ("last", "verdict", "reasons"),
    [
        (None, Verdict.WARNING, (GONE,)),
        (row("ok", ()), Verdict.WARNING, (GONE,)),
        (
            row("failure", ("1 table Mismatched records",)),
            Verdict.FAILURE,
            (GONE, "before deprovisioning: 1 table Mismatched records"),
        ),
        (  # a later sweep: the carried row itself (no tables) carries on
            row("failure", (GONE, "before deprovisioning: 1 table Mismatched records"), tables=0),
            Verdict.FAILURE,
            (GONE, "before deprovisioning: 1 table Mismatched records"),
        ),
        (
            row("warning", ("1 table No primary key",)),
            Verdict.WARNING,
            (GONE, "before deprovisioning: 1 table No primary key"),
        ),
        (row("failure", ("replication failed",), tables=0), Verdict.WARNING, (GONE,)),  # never had tables
        (row("error", ("AccessDeniedFault",)), Verdict.WARNING, (GONE,)),
    ],
)
def test_the_last_known_table_verdict_stands(
    last: VerdictRow | None, verdict: Verdict, reasons: tuple[str, ...]
) -> None:
    carried = with_last_known(current(), last)
    assert (carried.verdict, carried.reasons) == (verdict, reasons)


def test_a_replication_with_its_statistics_is_left_alone() -> None:
    fresh = current(deprovisioned=False, verdict=Verdict.OK)
    assert with_last_known(fresh, row("failure", ("1 table Mismatched records",))) is fresh
