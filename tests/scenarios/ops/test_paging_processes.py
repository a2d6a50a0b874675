"""Pages across process deaths (``serve --http`` subprocesses, the simulator, the Slack fake and a
real local PagerDuty receiver): a trigger still unsent when the bot is SIGKILLed goes out after the
restart, and the Acknowledge clicked after it carries the same dedup_key; the same across a
replica failover on PostgreSQL, the standby that took over delivering and acknowledging. The
routing key appears in no log line and no doctor output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.render.buttons import Action
from bot.sim import SimServer
from tests.scenarios.ops.conftest import StartServe, bot_env, run_doctor
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.pagerduty import ROUTING_KEY, FakePagerDuty
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import small_fleet
from tests.support.replicas import LEADER_TIMEOUT, REPLICA_CONFIG, role, wait_until
from tests.support.serve_process import CHANNEL, BotProcess

pytestmark = pytest.mark.slow
TASK = "billing-cdc"  # the small fleet's failing task


@pytest.fixture
def pd() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as fake:
        yield fake


def paging_env(pd: FakePagerDuty, **more: str) -> dict[str, str]:
    return {"DMS_BOT_PAGERDUTY_ROUTING_KEY": ROUTING_KEY, "DMS_BOT_PAGERDUTY_URL": pd.url, **more}


def acknowledge(bot: BotProcess, slack: FakeSlackApi) -> None:
    """Click Acknowledge on the alert message, as Slack would send it to ``bot``."""
    [post] = [r for r in slack.requests("chat.postMessage") if r.ok and "thread_ts" not in r.params]
    [ack] = [
        e for b in post.params["blocks"] for e in b.get("elements", []) if e.get("action_id") == Action.ACK
    ]
    url = slack.new_response_url()
    ts = post.response["ts"]
    answer = bot.click(
        Action.ACK, ack["value"], user_id="U0OWNER", channel_id=CHANNEL, message_ts=ts, response_url=url
    )
    assert answer.status_code == 200


def one_key(pd: FakePagerDuty) -> str:
    keys = {e.dedup_key for e in pd.events()}
    assert len(keys) == 1, keys
    return keys.pop()


def test_sigkill_with_a_trigger_unsent_then_restart_pages_once_and_acks_under_the_same_key(
    start_bot: StartServe, start_sim: Callable[..., SimServer], slack: FakeSlackApi, pd: FakePagerDuty
) -> None:
    sim = start_sim(small_fleet())
    pd.script([503] * 10_000)  # PagerDuty failing: the trigger waits in the outbox
    first = start_bot(sim, slack, env=paging_env(pd))
    slack.wait_for("chat.postMessage", count=1, timeout=20)
    pd.wait_for(1, timeout=20, accepted=False)
    first.kill()  # SIGKILL: no shutdown handler runs
    tried = one_key(pd)
    pd.clear_script()
    second = start_bot(sim, slack, env=paging_env(pd))
    [trigger] = pd.wait_for(1, timeout=30)
    acknowledge(second, slack)
    events = pd.wait_for(2, timeout=20)
    assert [e.action for e in events] == ["trigger", "acknowledge"]
    assert one_key(pd) == tried and tried.endswith(":1") and TASK not in tried  # the ARN, not the name
    assert trigger.body["payload"]["component"] == TASK
    logs = first.log_path.read_text() + second.log()
    assert ROUTING_KEY not in logs and "Traceback" not in logs
    assert second.stop() == 0


@pytest.fixture
def database_url() -> Iterator[str]:
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_replica_failover_delivers_the_leaders_unsent_trigger_and_acks_under_the_same_key(
    database_url: str,
    start_bot: StartServe,
    start_sim: Callable[..., SimServer],
    slack: FakeSlackApi,
    pd: FakePagerDuty,
) -> None:
    sim = start_sim(small_fleet())
    env = paging_env(pd, DMS_BOT_DB=database_url)
    pd.script([503] * 10_000)
    leader = start_bot(sim, slack, env=env, config=REPLICA_CONFIG)
    wait_until(lambda: role(leader) == "leader", timeout=10, what="the first replica leading")
    standby = start_bot(sim, slack, env=env, config=REPLICA_CONFIG)
    wait_until(lambda: role(standby) == "standby", timeout=10, what="the second replica waiting")
    slack.wait_for("chat.postMessage", count=1, timeout=30)
    pd.wait_for(1, timeout=20, accepted=False)
    leader.kill()
    tried = one_key(pd)
    pd.clear_script()
    wait_until(lambda: role(standby) == "leader", timeout=4 * LEADER_TIMEOUT, what="the standby leading")
    pd.wait_for(1, timeout=30)
    acknowledge(standby, slack)
    events = pd.wait_for(2, timeout=20)
    assert [e.action for e in events] == ["trigger", "acknowledge"]
    assert one_key(pd) == tried
    assert len([r for r in slack.requests("chat.postMessage") if r.ok and "thread_ts" not in r.params]) == 1
    logs = leader.log_path.read_text() + standby.log()
    assert ROUTING_KEY not in logs and "Traceback" not in logs


def test_doctor_says_paging_is_configured_without_the_key_and_a_malformed_key_in_one_line(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, pd: FakePagerDuty, tmp_path: Any
) -> None:
    sim = start_sim(small_fleet())
    good = run_doctor(bot_env(sim.url, slack, tmp_path, paging_env(pd)))
    [line] = [x for x in good.stdout.splitlines() if "pagerduty:" in x]
    assert "paging configured: routing key ******** for 1 of 1 target, events to 127.0.0.1" in line
    bad_key = "Q" * 20 + "-not-a-key"
    bad = run_doctor(bot_env(sim.url, slack, tmp_path, paging_env(pd, DMS_BOT_PAGERDUTY_ROUTING_KEY=bad_key)))
    [line] = [x for x in bad.stdout.splitlines() if "pagerduty:" in x]
    assert (
        "the PagerDuty routing key does not look like a PagerDuty routing key (30 characters, expected 32)"
        in line
    )
    none = run_doctor(bot_env(sim.url, slack, tmp_path))
    assert "pagerduty: paging not configured" in none.stdout
    for run in (good, bad, none):
        assert ROUTING_KEY not in run.stdout + run.stderr and bad_key not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr


def test_serve_says_a_malformed_routing_key_at_start_up_in_one_line(
    start_bot: StartServe, start_sim: Callable[..., SimServer], slack: FakeSlackApi, pd: FakePagerDuty
) -> None:
    bad_key = "Q" * 20 + "-not-a-key"
    bot = start_bot(
        start_sim(small_fleet()), slack, env=paging_env(pd, DMS_BOT_PAGERDUTY_ROUTING_KEY=bad_key)
    )
    pd.wait_for(1, timeout=20, accepted=False)  # sent anyway: PagerDuty is the judge, and says 400
    assert bot.stop() == 0
    log = bot.log_path.read_text()
    said = [line for line in log.splitlines() if "does not look like a PagerDuty routing key" in line]
    assert len(said) == 1 and "(30 characters, expected 32)" in said[0] and "WARNING" in said[0]
    assert "PagerDuty refused the event (HTTP 400): Event object is invalid; Length of 'routing_key'" in log
    assert bad_key not in log and "Traceback" not in log
