"""The history chart's arithmetic, as plain values: ticks, verdict runs and the period."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render.chart_scales import (
    lag_label,
    lag_ticks,
    period,
    record_label,
    record_ticks,
    slot,
    verdict_runs,
)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0, 1, 10]),
        (9, [0, 1, 10]),
        (72, [0, 1, 10, 100]),
        (100, [0, 1, 10, 100, 1000]),
        (12_000, [0, 1, 10, 100, 1000, 10_000, 100_000]),
        (10**12, [0, 1000, 10**6, 10**9, 10**12, 10**15]),  # thinned, and 1 no longer crowds 0
    ],
)
def test_record_ticks_are_zero_and_powers_of_ten_above_the_peak(peak: int, ticks: list[int]) -> None:
    assert record_ticks(peak) == ticks


def test_record_labels_are_short() -> None:
    assert [record_label(v) for v in (0, 1, 100, 1000, 10**5, 10**6, 10**8, 10**9, 10**15)] == [
        "0", "1", "100", "1k", "100k", "1M", "100M", "1e9", "1e15",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("peak", "step", "top"),
    [
        (0, 10, 60),
        (42, 10, 60),
        (59, 15, 75),
        (300, 60, 360),
        (5400, 1800, 7200),
        (3 * 86400, 86400, 4 * 86400),
    ],
)
def test_lag_ticks_are_whole_clock_steps_clearing_the_peak(peak: float, step: int, top: int) -> None:
    ticks = lag_ticks(peak)
    assert ticks[0] == 0 and ticks[-1] == top and ticks[-1] >= peak
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert len(ticks) <= 8


def test_lag_labels_never_repeat_on_an_axis() -> None:
    """format_duration drops seconds past a minute; the axis must not show "1m" twice."""
    for peak in (42, 59, 90, 300, 1000, 5400, 40_000, 200_000):
        labels = [lag_label(t) for t in lag_ticks(peak)]
        assert len(set(labels)) == len(labels), labels
    assert [lag_label(s) for s in (0, 45, 60, 75, 5400, 7200)] == ["0", "45s", "1m", "1m 15s", "1h 30m", "2h"]


def test_slot_is_the_usual_gap_between_sweeps() -> None:
    assert slot([at(0), at(15), at(30), at(45), at(600)]) == timedelta(minutes=15)
    assert slot([at(0)]) == timedelta(minutes=15)
    assert slot([at(0), at(0)]) == timedelta(minutes=15)


def test_verdict_runs_merge_equal_neighbours_and_leave_outages_blank() -> None:
    """Sweeps 15 min apart; then nothing for 2 hours: the strip shows that gap."""
    times = [at(0), at(15), at(30), at(45), at(165)]
    runs = verdict_runs(times, ["ok", "ok", "failure", "failure", "failure"], timedelta(minutes=15))
    assert runs == [
        ("ok", at(-7.5), at(22.5)),
        ("failure", at(22.5), at(52.5)),
        ("failure", at(157.5), at(172.5)),
    ]


def test_one_sweep_is_one_slot_wide() -> None:
    assert verdict_runs([at(0)], ["error"], timedelta(minutes=15)) == [("error", at(-7.5), at(7.5))]


def test_period_is_in_the_given_zone() -> None:
    """Same day, across days (CET in winter, CEST in summer), across years and a single moment."""
    paris = ZoneInfo("Europe/Paris")
    assert period(at(0), at(600), paris, "Europe/Paris") == "26 Nov 2026 10:00 \u2013 20:00 (Europe/Paris)"
    assert (
        period(at(0), at(900), paris, "Europe/Paris")
        == "26 Nov 10:00 \u2013 27 Nov 2026 01:00 (Europe/Paris)"
    )
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert period(summer, summer, paris, "Europe/Paris") == "01 Jul 2026 14:00 (Europe/Paris)"
    new_year = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert period(new_year, new_year + timedelta(hours=8), ZoneInfo("UTC"), "UTC") == (
        "31 Dec 2026 20:00 \u2013 01 Jan 2027 04:00 (UTC)"
    )
