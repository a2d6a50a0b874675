"""The numbers beside the history chart and its alt text, for any rows and names."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot.core.records import VerdictRow
from bot.render.history import history_alt_text, history_message
from tests.support.render.blockutil import all_text
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW
from tests.support.render.sample_alerts import history
from tests.support.render.strategies import SMALL, rows, text


def test_history_message_numbers_beside_the_chart() -> None:
    """Title, trend over the whole history, the last 24 sweeps with verdict emoji and counts."""
    msg = history_message("orders-cdc", history(48), now=NOW)
    assert_safe(msg)
    text = all_text(msg)
    assert "History of *orders-cdc* · last 48 sweeps" in text
    assert "failed records 0 → 72 over 11h 45m · suspended 0 → 0 · pending 1,200 → 0" in text
    assert "_24 earlier sweeps in the chart only_" in text
    assert text.count(":red_circle: failed") == 24
    assert ":red_circle: failed 72 · suspended 0 · pending 0" in text
    assert "CDC lag on the right axis" in text
    assert msg.text.startswith("orders-cdc: failed records 0 → 72 over 11h 45m")


def test_history_message_for_no_and_one_sweep() -> None:
    """No history says so; one sweep has a trend without a time span."""
    empty = history_message("orders-cdc", [], now=NOW)
    assert_safe(empty)
    assert "No history recorded for *orders-cdc* yet." in all_text(empty)
    one = history_message("orders-cdc", history(1), now=NOW)
    assert_safe(one)
    assert "failed records 3 → 3 · suspended" in all_text(one)


def test_alt_text_is_plain_and_short() -> None:
    """The alt text sums the chart up in one clean line."""
    alt = history_alt_text("orders-cdc", history(48))
    assert alt == (
        "Chart of orders-cdc over the last 48 sweeps: failed records 0 → 72 over 11h 45m; "
        "pending records 1,200 → 0; latest verdict failure."
    )
    assert "no history" in history_alt_text("orders-cdc", [])


@SMALL
@given(text, st.lists(rows, max_size=60))
def test_history_is_valid_and_inert(task_id: str, history: list[VerdictRow]) -> None:
    """The history message holds Slack's limits; the alt text is one clean line ≤1,000."""
    assert_safe(history_message(task_id, history, now=NOW))
    alt = history_alt_text(task_id, history)
    assert 0 < len(alt) <= 1000 and "\n" not in alt


def lagging(rows: list[VerdictRow]) -> list[VerdictRow]:
    """Target lag climbing 0 → 47 * 90 s = 1h 10m 30s; source lag known on even sweeps only."""
    return [
        replace(r, cdc_source_seconds=4.4 if i % 2 == 0 else None, cdc_target_seconds=90.0 * i)
        for i, r in enumerate(rows)
    ]


def test_history_message_shows_the_lag_when_known() -> None:
    """The trend ends with the newest known lag; each sweep's line has the lag it knew."""
    text = all_text(history_message("orders-cdc", lagging(history(48)), now=NOW))
    assert "pending 1,200 → 0 · CDC lag target 1h 10m" in text
    assert "pending 0 · CDC lag source 4s, target 1h 9m" in text  # sweep 46: both sides
    assert "pending 0 · CDC lag target 1h 10m" in text  # sweep 47: no source datapoint


def test_alt_text_ends_with_the_latest_lag() -> None:
    rows = lagging(history(48))
    assert history_alt_text("orders-cdc", rows).endswith(
        "latest verdict failure. Latest CDC lag target 1h 10m."
    )
    rows[-1] = replace(rows[-1], cdc_source_seconds=0.0, cdc_target_seconds=None)
    assert history_alt_text("orders-cdc", rows).endswith("Latest CDC lag source 0s.")
