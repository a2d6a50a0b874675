"""The daily digest: content, owners, snoozes, and limits for big fleets."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alerts import TaskAlert
from bot.core.records import Snooze, VerdictRow
from bot.render.digest import digest_message, row_line
from bot.render.home import home_view
from tests.support.render.blockutil import all_text, header_text
from tests.support.render.limits import assert_safe, assert_view_safe
from tests.support.render.sample import NOW, USER
from tests.support.render.sample_alerts import (
    ALERTS,
    ROWS,
    SNOOZES,
    hostile_alerts,
    hostile_fleet_rows,
    row,
    snooze,
    sweep,
)
from tests.support.render.strategies import ALLOWED, SMALL, alerts, rows, snoozes


def test_digest_summarises_the_fleet() -> None:
    """Counts by verdict, open incidents with owner or "unowned", snoozes, warnings, last sweep."""
    msg = digest_message(ROWS, ALERTS, SNOOZES, now=NOW, last_sweep=sweep())
    assert_safe(msg, users=[USER])
    assert header_text(msg) == ":newspaper: DMS daily digest"
    text = all_text(msg)
    assert "*3 tasks:* 1 ok · 1 warning · 1 failing · 1 error" in text
    assert "*Open incidents (2)*" in text
    assert f"— failing for 1h 30m · owner <@{USER}>" in text
    assert "— cannot be checked for 1h 30m · _unowned_" in text
    assert "old" not in text
    assert "• :zzz: *billing-cdc* until <!date^" in text and f"· by <@{USER}>" in text
    assert "*Warnings (1)*" in text and "*billing-cdc* · prod-eu · starting — task starting" in text
    assert "Last sweep <!date^" in text and "(took 4s)" in text
    assert msg.text == "DMS daily digest: 4 tasks · 2 open incidents · 1 snoozed · 1 warning"


def test_digest_of_a_quiet_fleet() -> None:
    """Nothing open, nothing snoozed, no sweep yet: each section says so."""
    msg = digest_message([row()], [], {}, now=NOW, last_sweep=None)
    assert_safe(msg)
    text = all_text(msg)
    assert "_No open incidents._" in text and "_No snoozes._" in text
    assert "No sweep recorded yet" in text


def test_digest_for_600_hostile_tasks_stays_within_limits() -> None:
    """600 tasks, 80 incidents and 60 snoozes with hostile names: capped, summarised, inert."""
    rows = hostile_fleet_rows(600)
    snoozes = {r.task_arn or "": snooze(i) for i, r in enumerate(rows[:60])}
    msg = digest_message(rows, hostile_alerts(80), snoozes, now=NOW, last_sweep=sweep())
    assert_safe(msg, users=[USER])
    text = all_text(msg)
    assert "*Open incidents (80)*" in text and "more open incidents" in text
    assert "more snoozes" in text and "more tasks with warnings" in text


@SMALL
@given(st.lists(rows, max_size=25), st.lists(alerts, max_size=8), snoozes)
def test_digest_and_home_are_valid_and_inert(
    fleet: list[VerdictRow], open_alerts: list[TaskAlert], active: list[Snooze]
) -> None:
    """The digest and the Home tab hold Slack's limits for any rows, alerts and snoozes."""
    by_arn = {s.task_arn: s for s in active}
    assert_safe(digest_message(fleet, open_alerts, by_arn, now=NOW, last_sweep=sweep()), users=ALLOWED)
    assert_view_safe(home_view(fleet, open_alerts, by_arn, now=NOW, last_sweep=None), users=ALLOWED)


def test_digest_and_home_lines_show_the_cdc_lag_when_known() -> None:
    lagging = replace(row(verdict="failure"), cdc_source_seconds=None, cdc_target_seconds=4320.0)
    assert "· CDC lag target 1h 12m" in row_line(lagging)
    assert "CDC lag target 1h 12m" in json.dumps(home_view([lagging], [], {}, now=NOW, last_sweep=None))
    assert "CDC lag" not in row_line(row(verdict="failure"))
