"""CDC lag as task-level findings, with plain values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.evaluate import evaluate
from bot.core.latency import lag_verdict, with_latency
from bot.core.models import CdcLatency, Policy, PolicyMode, TableStats, Task, TaskVerdict, Verdict

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TASK = Task("orders-cdc", "arn:aws:dms:eu-west-1:123456789012:task:ABC", "running", "cdc")
M, H = 60.0, 3600.0


def healthy() -> TaskVerdict:
    return evaluate(TASK, [TableStats("s", "t", "Table completed", "Validated")], now=NOW)


@pytest.mark.parametrize(
    ("source", "target", "verdict", "reason"),
    [
        (None, None, Verdict.OK, None),  # no datapoint is no finding
        (0.0, 0.0, Verdict.OK, None),  # a quiet source reads 0
        (30.0, 9 * M, Verdict.OK, None),
        (None, 10 * M, Verdict.OK, None),  # at the threshold is not above it
        (None, 10 * M + 1, Verdict.WARNING, "target is 10m behind the source"),
        (30.0, 72 * M, Verdict.FAILURE, "target is 1h 12m behind the source"),
        (
            70 * M,
            72 * M,
            Verdict.FAILURE,
            "target is 1h 12m behind the source (1h 10m of it reading the source)",
        ),
        (14 * M, None, Verdict.WARNING, "CDC source latency 14m (DMS is reading the source's changes late)"),
        (2 * H, 30.0, Verdict.FAILURE, "CDC source latency 2h (DMS is reading the source's changes late)"),
        (14 * M, 2 * H, Verdict.FAILURE, "target is 2h behind the source (14m of it reading the source)"),
    ],
)
def test_lag_over_the_defaults(
    source: float | None, target: float | None, verdict: Verdict, reason: str | None
) -> None:
    """Defaults: above 10m is a warning, above 1h a failure; the target's lag leads the wording."""
    latency = CdcLatency(source_seconds=source, target_seconds=target)
    v = with_latency(healthy(), latency, Policy())
    assert v.verdict is verdict
    assert v.reasons == (() if reason is None else (reason,))
    assert v.cdc_latency == latency


@pytest.mark.parametrize(
    ("policy", "seconds", "expected"),
    [
        (Policy(cdc_latency_warning=None), 20 * M, Verdict.OK),
        (Policy(cdc_latency_warning=None), 2 * H, Verdict.FAILURE),
        (Policy(cdc_latency_failure=None), 48 * H, Verdict.WARNING),
        (Policy(cdc_latency_warning=None, cdc_latency_failure=None), 48 * H, Verdict.OK),
        (Policy(cdc_latency_warning=30, cdc_latency_failure=60), 61, Verdict.FAILURE),
        (Policy(), None, Verdict.OK),
    ],
)
def test_either_threshold_can_be_turned_off(policy: Policy, seconds: float | None, expected: Verdict) -> None:
    """None ("off" in the config) disables that threshold only."""
    assert lag_verdict(seconds, policy) is expected


def test_no_latency_leaves_the_verdict_untouched() -> None:
    """Not fetched (None) is not the same as fetched with no datapoints: the verdict is the same object."""
    v = healthy()
    assert with_latency(v, None, Policy()) is v
    assert with_latency(v, CdcLatency(), Policy()).cdc_latency == CdcLatency()


def test_the_worst_wins_and_leads_the_reasons() -> None:
    """A lag failure on a warned task makes it a failure listed first; a lag warning on a failed task
    keeps the failure and comes after its reasons."""
    warned = evaluate(TASK, [TableStats("s", "t", "Table completed", "No primary key")], now=NOW)
    lagging = with_latency(warned, CdcLatency(target_seconds=2 * H), Policy())
    assert lagging.verdict is Verdict.FAILURE
    assert lagging.reasons == ("target is 2h behind the source", "1 table No primary key")

    failed = evaluate(TASK, [TableStats("s", "t", "Table completed", "Mismatched records")], now=NOW)
    slow = with_latency(failed, CdcLatency(target_seconds=20 * M), Policy())
    assert slow.verdict is Verdict.FAILURE
    assert slow.reasons == ("1 table Mismatched records", "target is 20m behind the source")


def test_strict_mode_still_judges_lag() -> None:
    """Strict mode is about tables; lag rules apply there too."""
    strict = Policy(mode=PolicyMode.STRICT)
    v = evaluate(TASK, [TableStats("s", "t", "Table completed", "Validated")], now=NOW, policy=strict)
    assert with_latency(v, CdcLatency(target_seconds=2 * H), strict).verdict is Verdict.FAILURE
