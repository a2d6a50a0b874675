"""Several ``serve --http`` replicas on one PostgreSQL database, the DMS simulator and the Slack
fake, through faults: a leader killed with a post in flight (its item is delivered once, by the
next leader); PostgreSQL restarted mid-sweep (every replica survives, sweeps resume, the incidents
continue); three replicas, one sweeping, each answering ``/dms status``; an Events API retry
reaching another replica (handled once)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest

from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from tests.scenarios.ops.conftest import StartServe, wait_for_health
from tests.scenarios.ops.test_replicas import ALERTS, database_url, two_replicas
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import app_home_opened_event, sign
from tests.support.private_postgres import PrivateServer, private_postgres
from tests.support.replicas import (
    LEADER_TIMEOUT,
    REPLICA_CONFIG,
    role,
    sweeps,
    top_level_posts,
    updated_messages,
    wait_until,
)
from tests.support.serve_process import SIGNING_SECRET, BotProcess

pytestmark = pytest.mark.slow
__all__ = ["database_url"]  # the fixture, shared with test_replicas


def alert_names(slack: FakeSlackApi) -> list[str]:
    """The task each top-level post is about (its text starts with the task id), sorted."""
    posts = [r for r in slack.requests("chat.postMessage") if r.ok and not r.params.get("thread_ts")]
    return sorted(str(r.params["text"]).split()[0] for r in posts)


def test_an_item_a_killed_leader_was_sending_is_delivered_once_by_the_next_leader(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Slack hangs on the first post (and never takes it); the leader is SIGKILLed meanwhile. The
    standby, once leading, frees the dead epoch's lease at once and posts every alert once."""
    slack.fail_next("chat.postMessage", status=503, delay=30)
    env = {"DMS_BOT_DB": database_url}
    leader = start_bot(demo_sim, slack, env=env, config=REPLICA_CONFIG)
    wait_until(lambda: role(leader) == "leader", timeout=10, what="the first replica leading")
    standby = start_bot(demo_sim, slack, env=env, config=REPLICA_CONFIG)
    wait_until(lambda: role(standby) == "standby", timeout=10, what="the second replica waiting")
    wait_until(lambda: slack.arrived("chat.postMessage") >= 1, timeout=30, what="the first post in flight")
    leader.proc.kill()
    wait_until(lambda: role(standby) == "leader", timeout=4 * LEADER_TIMEOUT, what="the standby leading")
    wait_until(lambda: len(top_level_posts(slack)) >= ALERTS, timeout=20, what="the alerts posted")
    time.sleep(2.0)  # a second delivery of either would show up now
    assert len(top_level_posts(slack)) == ALERTS and len(set(alert_names(slack))) == ALERTS
    assert "were being sent when the bot last stopped" in standby.log()
    assert "Traceback" not in standby.log()


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    """A server of this test's own, so restarting it disturbs no other test (stopped however the
    test ends)."""
    with private_postgres() as server:
        yield server


def restart_mid_sweep(server: PrivateServer, sim: SimServer, leader: BotProcess, *, outage: float) -> None:
    """Wait for the leader's next sweep to begin, then stop the server for ``outage`` seconds: the
    sweep ends (and tries to save) while the database is away."""
    listed = sim.counters()["calls"].get("DescribeReplicationTasks", 0)
    wait_until(
        lambda: sim.counters()["calls"].get("DescribeReplicationTasks", 0) > listed,
        timeout=30,
        what="the next sweep beginning",
    )
    server.stop()
    try:
        time.sleep(outage)
    finally:
        server.start()


def test_postgresql_restarted_mid_sweep_every_replica_survives_and_the_incidents_continue(
    private_server: PrivateServer,
    start_bot: StartServe,
    start_sim: Callable[..., SimServer],
    slack: FakeSlackApi,
) -> None:
    sim = start_sim(load_scenario(DEMO_SCENARIO), latency=0.3)  # a sweep lasts a while
    bots = two_replicas(start_bot, sim, slack, private_server.url)
    posts = top_level_posts(slack)
    restart_mid_sweep(private_server, sim, bots[0], outage=2.0)
    restarted = time.monotonic()
    for bot in bots:
        wait_for_health(bot, 200, timeout=60)
    done = sum(sweeps(b) for b in bots)
    wait_until(lambda: sum(sweeps(b) for b in bots) > done, timeout=40, what="a sweep after the restart")
    edited = len(updated_messages(slack))
    wait_until(lambda: len(updated_messages(slack)) > edited, timeout=40, what="an edit after the restart")
    print(f"\nsweeping again {time.monotonic() - restarted:.1f}s after the server came back")
    assert all(b.proc.poll() is None for b in bots)  # every replica survived
    assert sorted(role(b) or "" for b in bots) == ["leader", "standby"]
    assert top_level_posts(slack) == posts and len(posts) == ALERTS  # same messages, none again
    assert set(updated_messages(slack)) == set(posts)  # the incidents continue in their messages
    assert all("Traceback" not in b.log() for b in bots)


def test_of_three_replicas_one_sweeps_and_every_one_answers_dms_status(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    first, second = two_replicas(start_bot, demo_sim, slack, database_url)
    third = start_bot(demo_sim, slack, env={"DMS_BOT_DB": database_url}, config=REPLICA_CONFIG)
    bots = (first, second, third)
    wait_until(lambda: role(third) == "standby", timeout=10, what="the third replica waiting")
    before = sweeps(first)
    wait_until(lambda: sweeps(first) > before, timeout=30, what="the leader's next sweep")
    assert [role(b) for b in bots] == ["leader", "standby", "standby"]
    assert (sweeps(second), sweeps(third)) == (0, 0)
    listings = demo_sim.counters()["calls"]["DescribeReplicationTasks"]
    assert listings == sweeps(first)  # one listing per sweep, all of them the leader's
    for bot in bots:
        url = slack.new_response_url()
        assert bot.command("status", response_url=url).status_code == 200
        [answer] = slack.wait_for_response(1, timeout=20, id=url)
        assert "billing-cdc" in json.dumps(answer.body), bot.log()


def test_an_event_retried_to_another_replica_is_handled_once(
    database_url: str, start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    first, second = two_replicas(start_bot, demo_sim, slack, database_url)
    body = json.dumps(app_home_opened_event("U0HOME"))
    assert first.post(body, content_type="application/json").status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    answer = second.post(
        body, content_type="application/json", headers={**sign(body, SIGNING_SECRET), **retry}
    )
    assert answer.status_code == 200
    slack.wait_for("views.publish", timeout=15)
    time.sleep(1.0)  # a second publication would show up now
    assert len(slack.requests("views.publish")) == 1
    assert "already handled; retry 1 acknowledged" in second.log()
