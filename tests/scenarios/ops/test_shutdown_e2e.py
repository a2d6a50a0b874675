"""SIGTERM during a slow sweep: abandoned within the deadline, exit 0, nothing half-saved; then a
restart sweeps normally, and a SIGTERM during that sweep lets it finish and flush its alerts."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.sim import SimServer, build_fleet
from bot.store.sql import SqlStore
from tests.scenarios.ops.conftest import StartServe
from tests.support.fakes.slack_api import FakeSlackApi

pytestmark = pytest.mark.slow
STATS = "DescribeTableStatistics"


def wait_for_stats_calls(sim: SimServer, timeout: float = 20.0) -> None:
    """Block until the sweep is under way (the simulator saw a DescribeTableStatistics call)."""
    deadline = time.monotonic() + timeout
    while sim.counters()["calls"].get(STATS, 0) == 0:
        assert time.monotonic() < deadline, "the sweep never reached DescribeTableStatistics"
        time.sleep(0.05)


def terminate(bot, timeout: float) -> tuple[int, float]:
    """SIGTERM; (exit code, seconds until exit)."""
    sent = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    code = bot.proc.wait(timeout)
    return code, time.monotonic() - sent


def test_sigterm_abandons_a_slow_sweep_in_time_and_a_restart_completes(
    start_bot: StartServe, start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path
) -> None:
    """30 tasks at 1 s per DMS call: SIGTERM exits 0 within deadline + a few seconds, saving nothing;
    the restarted bot's sweep, interrupted by SIGTERM, finishes, is saved and its alerts are sent."""
    sim = start_sim(build_fleet(30, 5, problems=0.1, seed=3), latency=1.0)
    db = tmp_path / "bot.sqlite3"

    first = start_bot(sim, slack, env={"DMS_BOT_SHUTDOWN_DEADLINE": "0.5"})
    wait_for_stats_calls(sim)
    code, took = terminate(first, timeout=15)
    assert code == 0, first.log()
    assert took < 0.5 + 5, f"took {took:.1f}s\n{first.log()}"  # deadline + unwinding + flush
    assert "abandoning it" in first.log() and "Traceback" not in first.log()
    with SqlStore(db) as store:
        assert store.last_sweep() is None  # nothing of the abandoned sweep was written
    assert slack.requests("chat.postMessage") == []

    sim.engine.latency = 0.1
    sim.reset_counters()
    second = start_bot(sim, slack)
    wait_for_stats_calls(sim)
    code, took = terminate(second, timeout=30)
    assert code == 0, second.log()
    assert "abandon" not in second.log()
    with SqlStore(db) as store:
        last = store.last_sweep()
        assert last is not None and last.tasks == 30 and last.failure > 0
        assert store.outbox_stats(last.checked_at)[0] == 0  # every alert was flushed before exit
    assert len(slack.requests("chat.postMessage")) == last.failure
