"""Shutdown pieces in-process: refusing DMS calls of an abandoned sweep (the deadline setting is
read by bot.config: tests/unit/config/test_load.py)."""

from __future__ import annotations

import time

import pytest

from bot.aws.errors import to_bot_error
from bot.ops.metrics import Metrics, instrument_dms
from bot.ops.scheduler import SweepScheduler
from bot.ops.shutdown import ShuttingDown, refuse_dms_calls
from bot.sim import SimServer, build_fleet
from tests.unit.ops.test_metrics import dms_client, samples


def test_refused_calls_fail_at_once_and_count_as_aborted(start_sim) -> None:
    """After refuse_dms_calls, a DMS call fails before reaching the network, as a DmsError."""
    sim: SimServer = start_sim(build_fleet(1, 1), latency=2.0)
    metrics = Metrics()
    client = dms_client(sim.url)
    instrument_dms(client, metrics)
    refuse_dms_calls(client)
    started = time.monotonic()
    with pytest.raises(ShuttingDown) as caught:
        client.describe_replication_tasks()
    assert time.monotonic() - started < 1.0
    assert sim.total_calls() == 0
    assert "shutting down" in str(to_bot_error(caught.value))
    got = samples(metrics)
    assert (
        got[("dms_bot_dms_calls_total", (("operation", "DescribeReplicationTasks"), ("outcome", "aborted")))]
        == 1
    )


def test_scheduler_counts_as_alive_until_its_loop_ends() -> None:
    """Not yet started is alive (start-up is not a failure); stopped is not."""
    scheduler = SweepScheduler(lambda: None, every=60, tick=0.01)
    assert scheduler.alive()
    scheduler.start()
    assert scheduler.alive()
    assert scheduler.stop(timeout=2)
    assert not scheduler.alive()
