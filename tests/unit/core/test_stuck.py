"""Stuck-validation detection, and old statistics that are not a problem, with plain values."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

from bot.core.evaluate import evaluate
from bot.core.models import Policy, TableStats, Task, Verdict
from bot.core.stuck import stuck, track, with_stuck

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
TASK = Task("orders-cdc", "arn:aws:dms:eu-west-1:123456789012:task:A", "running", "cdc")


def test_flat_pending_for_stuck_after_is_stuck() -> None:
    """Pending records that never go down for 2h make the table stuck."""
    p = track({}, {"s.t": 500}, T0)
    p = track(p, {"s.t": 500}, T0 + H)
    p = track(p, {"s.t": 700}, T0 + 2 * H)  # going up is not progress
    assert stuck(p, T0 + 2 * H, 7200) == ["s.t"]


def test_progress_restarts_the_clock() -> None:
    """Pending going down, even a little, resets the timer."""
    p = track({}, {"s.t": 500}, T0)
    p = track(p, {"s.t": 499}, T0 + 90 * timedelta(minutes=1))
    assert stuck(p, T0 + 2 * H, 7200) == []
    assert stuck(p, T0 + 90 * timedelta(minutes=1) + 2 * H, 7200) == ["s.t"]


def test_zero_pending_forgets_the_table() -> None:
    """A table that drained is no longer tracked."""
    p = track({}, {"s.t": 5}, T0)
    assert track(p, {"s.t": 0}, T0 + H) == {}


def test_stuck_tables_add_one_warning() -> None:
    """A healthy task with stuck tables becomes a warning naming them; a failure stays a failure."""
    v = evaluate(
        TASK, [TableStats("s", "t", "Table completed", "Pending records", pending_records=5)], now=T0
    )
    warned = with_stuck(v, ["s.t"], 7200)
    assert warned.verdict is Verdict.WARNING
    assert warned.reasons[-1].startswith("1 table validation stuck (pending records not going down for 2h")
    assert with_stuck(v, [], 7200) is v


def test_pending_tables_are_collected() -> None:
    """The verdict lists tables with pending records for the tracker."""
    tables = [
        TableStats("s", "a", "Table completed", "Pending records", pending_records=5),
        TableStats("s", "b", "Table completed", "Validated"),
    ]
    assert evaluate(TASK, tables, now=T0).pending_tables == {"s.a": 5}


def test_quiet_source_with_days_old_statistics_is_ok() -> None:
    """LastUpdateTime is when DMS last rewrote its statistics record, not when data last changed
    (reference/dms-api.md section 10): a running CDC task with 20 Validated tables, nothing pending
    and statistics 3 days old is a quiet source, and healthy."""
    tables = [
        TableStats("s", f"t{i:02d}", "Table completed", "Validated", last_update_time=T0 - 72 * H)
        for i in range(20)
    ]
    v = evaluate(TASK, tables, now=T0, policy=Policy())
    assert (v.verdict, v.reasons) == (Verdict.OK, ())
    assert v.stats_updated_at == T0 - 72 * H  # kept as information, never a finding
    fresh = [replace(t, last_update_time=T0) for t in tables]
    assert evaluate(TASK, fresh, now=T0) == replace(v, stats_updated_at=T0)
    assert not {f.name for f in fields(Policy)} & {"stale_after"}, "no knob can bring the rule back"
