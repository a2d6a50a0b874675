"""The daily digest and the App Home tab: content, owners, snoozes, and limits for big fleets."""

from __future__ import annotations

from typing import Any

import pytest

from bot.render.blocks import digest_message, home_view
from bot.render.kit import SlackMessage
from tests.render.blockutil import all_text, header_text
from tests.render.limits import assert_safe, assert_view_safe
from tests.render.sample import NOW, USER
from tests.render.sample_alerts import (
    acked,
    alert,
    hostile_alerts,
    hostile_fleet_rows,
    row,
    snooze,
    sweep,
)

ROWS = [
    row("orders-cdc", 1, "failure", failed=57, reasons=("2 tables Mismatched records",)),
    row("billing-cdc", 2, "warning", status="starting", reasons=("task starting",)),
    row("users-cdc", 3),
    row("audit-cdc", 4, "error", reasons=("AccessDeniedFault",)),
]
ALERTS = [acked(alert("orders-cdc", 1)), alert("audit-cdc", 4, kind="error"), alert("old", 5, open=False)]
SNOOZES = {row(n=2).task_arn or "": snooze(2)}


def as_message(view: dict[str, Any]) -> SlackMessage:
    return SlackMessage(text="home", blocks=view["blocks"])


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


def test_home_view_shows_every_task_worst_first() -> None:
    """Counts, open alerts with owners, snoozes, the problem tasks in detail, healthy ones packed."""
    rows = [*ROWS, *(row(f"ok-{i}", 100 + i) for i in range(30))]
    view = home_view(rows, ALERTS, SNOOZES, now=NOW, last_sweep=sweep())
    assert_view_safe(view, users=[USER])
    text = all_text(as_message(view))
    assert "*33 tasks:* 31 ok · 1 warning · 1 failing · 1 error" in text
    assert f"owner <@{USER}>" in text and "_unowned_" in text
    assert "*Snoozed (1)*" in text
    assert text.index("*orders-cdc* · prod-eu") < text.index("*audit-cdc* · prod-eu")
    assert text.index("*audit-cdc* · prod-eu") < text.index("*billing-cdc* · prod-eu")
    assert ":large_green_circle: *Healthy (31)*" in text
    assert all(f"*ok-{i}*" in text for i in range(30)) and "*users-cdc*" in text
    assert "Last sweep <!date^" in text


def test_home_view_for_500_plain_tasks_shows_them_all() -> None:
    """500 tasks (50 failing) fit entirely: nothing summarised away."""
    rows = [row(f"orders-cdc-{i:03d}", i, "failure" if i < 50 else "ok", failed=i) for i in range(500)]
    view = home_view(rows, [], {}, now=NOW, last_sweep=sweep())
    assert_view_safe(view)
    text = all_text(as_message(view))
    assert all(f"*orders-cdc-{i:03d}*" in text for i in range(500))
    assert "…and" not in text


@pytest.mark.parametrize("tasks", [500, 2000])
def test_home_view_for_big_hostile_fleets_stays_within_100_blocks(tasks: int) -> None:
    """Hostile names at 500 and 2,000 tasks: ≤100 blocks, sections ≤3,000, summarised, inert."""
    rows = hostile_fleet_rows(tasks)
    snoozes = {r.task_arn or "": snooze(i) for i, r in enumerate(rows[:50])}
    view = home_view(rows, hostile_alerts(60), snoozes, now=NOW, last_sweep=sweep())
    assert_view_safe(view, users=[USER])
    assert len(view["blocks"]) <= 100
    assert "…and" in all_text(as_message(view))
