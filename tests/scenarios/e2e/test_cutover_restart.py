"""A stored watch is picked up by a new ``serve`` process: the process that started it queued its
first post and died; the next one (a real subprocess on the same store) delivers that post, judges
the gate against the simulator within its first look at the watches, and says "ready" once, in
that post's thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.cutover_watch import CutoverWatches
from bot.sim import Scenario, SimServer
from bot.store.sql import SqlStore
from tests.support.fakes.slack_api import FakeSlackApi, Recorded
from tests.support.inprocess import small_fleet, table
from tests.support.readiness import LAGGING, ScriptedGate
from tests.support.replicas import wait_until
from tests.support.serve_process import CHANNEL, BotProcess
from tests.support.simtools import Clock

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]


def calm_fleet() -> Scenario:
    """orders-cdc: validated, CDC lag 1 s (ready to cut over); the rest of the small fleet."""
    orders = {"tables": [table("sales", "orders")], "cdc_latency_source": 1.0, "cdc_latency_target": 1.0}
    return small_fleet(**{"orders-cdc": orders})


def test_a_stored_watch_is_carried_on_by_the_next_process_and_posts_once(
    start_bot: StartBot, start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path
) -> None:
    scenario = calm_fleet()
    arn = next(t.arn for t in scenario.tasks if t.identifier == "orders-cdc")
    db = tmp_path / "bot.sqlite3"
    with SqlStore(db) as store:  # the previous process: watch started (not ready then), then it died
        earlier = Clock(now=datetime.now(UTC) - timedelta(minutes=2))
        previous = CutoverWatches(
            store=store,
            gate=ScriptedGate().then(LAGGING),
            clock=earlier,
            watch_for=4 * 3600,
            max_lag=5,
            steady=300,
        )
        started = previous.watch(replace(LAGGING, task_arn=arn), channel=CHANNEL, user="U0ALICE")
    start_bot(start_sim(scenario), slack, env={"DMS_BOT_DB": str(db)}, config={"cutover": {"steady": "1m"}})

    def thread_replies() -> list[Recorded]:
        return [r for r in slack.requests("chat.postMessage") if r.ok and r.params.get("thread_ts")]

    wait_until(lambda: bool(thread_replies()), timeout=40, what="the watch's green post")
    [anchor] = [r for r in slack.requests("chat.postMessage") if "Watching orders-cdc" in r.params["text"]]
    [green] = thread_replies()
    assert green.params["thread_ts"] == anchor.response["ts"] and green.params["channel"] == CHANNEL
    assert green.params["text"].startswith("orders-cdc is ready to cut over: lag ≤ 5 s for 1 min")
    with SqlStore(db) as store:
        watch = store.get_watch(started.watch.id)
        assert watch is not None and watch.ready is True and watch.changes == 1
