"""Two ``serve --http`` replicas on one PostgreSQL database, the DMS simulator and the Slack fake:
one leads and sweeps, the other waits; SIGKILL of the leader hands the open incidents to the standby
within ``leader_timeout`` with no second top-level post; a leader frozen (SIGSTOP) until the standby
has taken over sweeps, posts and delivers nothing once it wakes (SIGCONT); heartbeats come from
the leader alone, one per sweep, and go on after a failover."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.sim import SimServer
from tests.scenarios.ops.conftest import StartServe
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.replicas import (
    CHECK_EVERY,
    LEADER_TIMEOUT,
    REPLICA_CONFIG,
    fail_over,
    metric,
    role,
    sweeps,
    top_level_posts,
    updated_messages,
    wait_until,
)
from tests.support.serve_process import BotProcess

pytestmark = pytest.mark.slow
ALERTS = 3  # the demo fleet's failing tasks and its failing DMS Serverless replication


@pytest.fixture
def database_url() -> Iterator[str]:
    """Asked for before ``start_bot`` by each test, so the replicas stop before it is dropped."""
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)


def two_replicas(
    start_bot: StartServe,
    sim: SimServer,
    slack: FakeSlackApi,
    database_url: str,
    config: dict[str, Any] = REPLICA_CONFIG,
) -> tuple[BotProcess, BotProcess]:
    """The first started leads (and alerts); the second is a standby."""
    env = {"DMS_BOT_DB": database_url}
    first = start_bot(sim, slack, env=env, config=config)
    wait_until(lambda: role(first) == "leader", timeout=10, what="the first replica leading")
    second = start_bot(sim, slack, env=env, config=config)
    wait_until(lambda: role(second) == "standby", timeout=10, what="the second replica waiting")
    slack.wait_for("chat.postMessage", count=ALERTS, timeout=30)
    return first, second


def test_only_the_leader_sweeps_and_after_sigkill_the_standby_continues_the_incidents(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    leader, standby = two_replicas(start_bot, demo_sim, slack, database_url)
    timing = fail_over(leader, standby, freeze=False)  # after the leader's second sweep
    listings = demo_sim.counters()["calls"]["DescribeReplicationTasks"]
    assert listings == 2 + sweeps(standby)  # one listing per sweep: the leader's two, then the standby's
    assert timing.leads <= LEADER_TIMEOUT
    posts = top_level_posts(slack)
    # every sweep edits each open alert's message: the old leader's second sweep, the new leader's
    # (the new leader may first deliver edits the old one queued but had no time to send)
    wait_until(
        lambda: (
            len(updated_messages(slack)) >= 2 * ALERTS
            and metric(standby, "dms_bot_alerts_sent_total") >= ALERTS
        ),
        timeout=15,
        what="the new leader's edits",
    )
    assert top_level_posts(slack) == posts and len(posts) == ALERTS  # no second top-level post
    assert len(updated_messages(slack)) >= 2 * ALERTS and set(updated_messages(slack)) == set(posts)
    assert "is now leader, epoch 2" in standby.log() and "is now standby, leader is" in standby.log()


def test_a_leader_frozen_until_the_standby_took_over_does_nothing_when_it_wakes(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    frozen, standby = two_replicas(start_bot, demo_sim, slack, database_url)
    try:
        timing = fail_over(frozen, standby, freeze=True)
    finally:
        os.kill(frozen.proc.pid, signal.SIGCONT)
    assert timing.leads <= LEADER_TIMEOUT
    calls, swept = metric(frozen, "dms_bot_dms_calls_total"), sweeps(frozen)
    delivered = metric(frozen, "dms_bot_alerts_sent_total")
    wait_until(lambda: role(frozen) == "standby", timeout=5, what="the woken leader standing by")
    assert f"is now standby, leader is {standby_name(standby)}, epoch 2" in frozen.log()
    time.sleep(LEADER_TIMEOUT)  # its overdue sweep, its outbox pass and its renewals have all run
    assert metric(frozen, "dms_bot_dms_calls_total") == calls  # no DMS call since it woke
    assert (sweeps(frozen), metric(frozen, "dms_bot_alerts_sent_total")) == (swept, delivered)
    assert metric(frozen, "dms_bot_leader") == 0 and metric(standby, "dms_bot_leader") == 1
    assert len(top_level_posts(slack)) == ALERTS


def test_heartbeats_are_one_per_sweep_from_the_leader_only_and_continue_after_sigkill(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """The receiver sees as many GETs as the leader has swept, none from the standby; once the
    leader is killed, the new leader's sweeps ping on."""
    with HttpReceiver(path="/ping/5bd3e1a4-check").start() as receiver:
        config = {**REPLICA_CONFIG, "heartbeat": {"url": receiver.url, "fail_url": f"{receiver.url}/fail"}}
        leader, standby = two_replicas(start_bot, demo_sim, slack, database_url, config)
        pings = lambda: len(receiver.requests())  # noqa: E731
        done = sweeps(leader)
        wait_until(lambda: sweeps(leader) > done, timeout=2 * CHECK_EVERY + 5, what="the leader's next sweep")
        wait_until(lambda: pings() == sweeps(leader), timeout=5, what="the leader's ping of each sweep")
        before = pings()
        assert before >= 2 and sweeps(standby) == 0
        leader.proc.kill()  # right after a sweep and its ping, the next ones 10 s away
        wait_until(
            lambda: sweeps(standby) >= 2, timeout=4 * LEADER_TIMEOUT + CHECK_EVERY + 5, what="2 sweeps"
        )
        wait_until(lambda: pings() == before + sweeps(standby), timeout=5, what="the new leader's pings")
        assert {(r.method, r.path) for r in receiver.requests()} == {("GET", "/ping/5bd3e1a4-check")}
    assert "5bd3e1a4-check" not in leader.log() + standby.log()


def standby_name(bot: BotProcess) -> str:
    """The replica's ``host:pid``, as leadership log lines name it."""
    return f"{os.uname().nodename}:{bot.proc.pid}"
