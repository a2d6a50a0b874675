""" "Tell me when ready": the click asks the gate again and starts the watch (one per task), in the
channel the button was clicked in; forged values and other users' channels are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app.cutover_watch import CutoverWatches
from bot.render.buttons import Action
from bot.slack.listeners.actions.ready import watch_ready
from bot.store.sql import SqlStore
from tests.support.readiness import ScriptedGate, readiness
from tests.support.simtools import Clock
from tests.unit.slack.listeners.stubs import ARN, CHANNEL, FORGED_ARN, USER, Wiring, click_body

LAGGING = readiness(task_id="billing-cdc", arn=ARN)


@pytest.fixture
def w() -> Iterator[Wiring]:
    with SqlStore(":memory:") as store:
        clock = Clock()
        gate = ScriptedGate().then(LAGGING)
        service = CutoverWatches(store=store, gate=gate, clock=clock, watch_for=3600, max_lag=5, steady=300)
        yield Wiring(cutover=service, clock=clock)


def test_the_click_starts_a_watch_for_the_user_in_that_channel(w: Wiring) -> None:
    w.click(watch_ready, click_body(Action.WATCH_READY, {"scope": "task", "task": ARN}))
    assert w.cutover is not None
    watch = w.cutover.watching(ARN)
    assert watch is not None and (watch.started_by, watch.channel) == (USER, CHANNEL)
    assert "Watching *billing-cdc* until" in w.respond.text(0)
    w.click(watch_ready, click_body(Action.WATCH_READY, {"scope": "task", "task": ARN}, user_id="U0BOB"))
    assert f"<@{USER}> is already watching" in w.respond.text()


def test_a_forged_task_is_refused_and_nothing_is_watched(w: Wiring) -> None:
    w.click(watch_ready, click_body(Action.WATCH_READY, {"scope": "task", "task": FORGED_ARN}))
    assert "does not watch" in w.respond.text()
    assert w.cutover is not None and w.cutover.watching(ARN) is None


def test_a_user_outside_the_allow_list_is_denied(w: Wiring) -> None:
    w.allowed_users = ("U0SOMEONE",)
    w.click(watch_ready, click_body(Action.WATCH_READY, {"scope": "task", "task": ARN}))
    assert "not allowed" in w.respond.text()
    assert w.cutover is not None and w.cutover.watching(ARN) is None
