"""``dms-bot ready`` flags: durations, the window's floor, and --since as people write it at night."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from bot.cli.ready_args import duration, moment, window

NOW = datetime(2026, 12, 6, 0, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:05", datetime(2026, 12, 6, 0, 5, tzinfo=UTC)),
        ("23:50", datetime(2026, 12, 5, 23, 50, tzinfo=UTC)),  # before midnight: yesterday's
        ("2026-12-05T21:00Z", datetime(2026, 12, 5, 21, 0, tzinfo=UTC)),
        ("2026-12-05 21:00", datetime(2026, 12, 5, 21, 0, tzinfo=UTC)),  # no zone: UTC
        ("2026-12-05T22:00+01:00", datetime(2026, 12, 5, 21, 0, tzinfo=UTC)),
    ],
)
def test_since_is_the_last_such_time_that_has_passed(text: str, expected: datetime) -> None:
    assert moment(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [("2026-12-07T00:00Z", "in the future"), ("25:00", "expected a time"), ("soon", "expected a time")],
)
def test_since_rejects_what_is_not_a_past_time(text: str, words: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=words):
        moment(text, now=NOW)


def test_lag_and_window_are_durations_and_the_window_at_least_a_minute() -> None:
    assert (duration("0s"), duration("5s"), window("5m")) == (0.0, 5.0, 300.0)
    with pytest.raises(argparse.ArgumentTypeError, match="at least 1m"):
        window("59s")
    with pytest.raises(argparse.ArgumentTypeError, match="expected a duration"):
        duration("-5s")
