"""The App Home tab: every task worst first, within 100 blocks however big the fleet."""

from __future__ import annotations

from typing import Any

import pytest

from bot.render.home import home_view
from bot.render.kit import SlackMessage
from tests.support.render.blockutil import all_text
from tests.support.render.limits import assert_view_safe
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


def as_message(view: dict[str, Any]) -> SlackMessage:
    return SlackMessage(text="home", blocks=view["blocks"])


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
