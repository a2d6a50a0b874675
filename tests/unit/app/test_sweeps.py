"""The sweep's worker pool follows the measured call latency; fresh answers cost no DMS call."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.app.questions import Found, Questions
from bot.aws.budget import PoolSizer, TokenBucket, thread_usage
from bot.aws.dms import utc_timestamp
from bot.core.models import Policy, TaskVerdict
from bot.settings import ApiBudget, DmsApiSettings, Settings, Target
from bot.sim import SimServer, build_fleet
from bot.store.sql import SqlStore
from tests.support.simtools import FAST, REGION, checker_for

Start = Callable[..., SimServer]


def bucket(rate: float) -> TokenBucket:
    return TokenBucket(ApiBudget(rate=rate, burst=10))


def test_pool_starts_from_the_guess_and_follows_the_measured_latency() -> None:
    """rate x latency + 1 workers: the guess first, then what jobs report (token waits excluded)."""
    sizer = PoolSizer([bucket(2.0)], call_latency=0.5)
    assert sizer.size() == 2
    sizer.observe(calls=2, busy_seconds=6.0)  # DMS turned out to take 3 s a call
    assert sizer.latency == 3.0
    assert sizer.size() == 7


def test_pool_is_bounded_and_counts_each_shared_bucket_once() -> None:
    """Two targets on one bucket do not double the rate; the ceiling holds whatever is measured."""
    shared = bucket(4.0)
    sizer = PoolSizer([shared, shared], call_latency=1.0, ceiling=6)
    assert sizer.size() == 5
    sizer.observe(calls=1, busy_seconds=60.0)
    assert sizer.size() == 6


def test_a_job_without_calls_teaches_nothing() -> None:
    sizer = PoolSizer([bucket(2.0)], call_latency=0.5)
    sizer.observe(calls=0, busy_seconds=9.0)
    assert sizer.latency == 0.5


def test_thread_usage_counts_this_threads_tokens_and_waits() -> None:
    """What the pool measures with: tokens taken by the calling thread, and its seconds waited."""
    calls, _ = thread_usage()
    b = bucket(1000.0)
    for _ in range(3):
        b.acquire()
    assert thread_usage()[0] == calls + 3


def test_sweep_measures_latency_and_still_makes_the_floor_of_calls(start_sim: Start) -> None:
    """A sweep feeds the pool its call latency; the floor of calls is unchanged."""
    sim = start_sim(build_fleet(30, 600), latency=0.01)
    checker = checker_for(sim.url)
    assert checker.sizer is not None
    report = checker.sweep()
    assert report.summary.tasks == 30
    # + DescribeReplications (no Serverless replication), + DescribeReplicationInstances, then cached
    assert sim.total_calls() == 1 + 30 * 2 + 1 + 1
    assert checker.sizer.latency >= 0.01


def test_epoch_timestamps_become_utc_datetimes() -> None:
    """DMS's JSON sends epoch seconds; they parse straight to UTC (strings still go to botocore)."""
    assert utc_timestamp(1_700_000_000.5) == datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)
    assert utc_timestamp("2023-11-14T22:13:20Z") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_table_statistics_carry_aware_timestamps(start_sim: Start) -> None:
    """Through the real client, LastUpdateTime arrives as an aware datetime."""
    sim = start_sim(build_fleet(1, 3))
    [(watched, task)] = checker_for(sim.url).list_tasks()
    stamps = [t.last_update_time for t in watched.gateway.table_stats(task.arn)]
    assert stamps and all(s is not None and s.utcoffset() is not None for s in stamps)


def questions_for(sim: SimServer, *, cache_ttl: float = 60.0) -> tuple[Questions, Found]:
    settings = Settings(
        targets=(Target(name="sim", region=REGION),),
        dms_api=DmsApiSettings(budget=FAST, cache_ttl=cache_ttl),
        policy=Policy(stuck_after=None),
    )
    checker = checker_for(sim.url, settings)
    checker.sweep()
    found = Questions(checker, store=SqlStore(":memory:"), clock=checker.clock).find("fleet-0002")
    assert isinstance(found, Found)
    sim.reset_counters()
    return Questions(checker, store=SqlStore(":memory:"), clock=checker.clock), found


def test_status_younger_than_cache_ttl_makes_no_dms_call(start_sim: Start) -> None:
    """Right after a sweep, /dms status is answered from the sweep's verdict."""
    sim = start_sim(build_fleet(3, 20))
    questions, found = questions_for(sim)
    verdict = questions.status(found)
    assert isinstance(verdict, TaskVerdict) and verdict.task.arn == found.task.arn
    assert sim.total_calls() == 0


def test_check_bypasses_the_cache(start_sim: Start) -> None:
    """/dms check asks DMS again: one filtered listing and one statistics page."""
    sim = start_sim(build_fleet(3, 20))
    questions, found = questions_for(sim)
    questions.status(found, fresh=True)
    assert sim.counters()["calls"] == {"DescribeReplicationTasks": 1, "DescribeTableStatistics": 1}


def test_status_older_than_cache_ttl_asks_dms_again(start_sim: Start) -> None:
    """Once the sweep's verdict is older than cache_ttl, a status is a fresh check."""
    sim = start_sim(build_fleet(3, 20))
    questions, found = questions_for(sim, cache_ttl=0.05)
    time.sleep(0.1)
    questions.status(found)
    assert sim.total_calls() == 2
