"""The process killed outright (SIGKILL, OOM killer, a node lost) in the middle of a sweep, with
alerts still waiting in the outbox because Slack was failing: after a restart nothing queued before
the kill is lost and every alert is posted exactly once."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.sim import SimServer
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import CHANNEL, small_fleet
from tests.support.serve_process import BotProcess, bot_env, free_port, write_config

pytestmark = pytest.mark.slow
STATS = "DescribeTableStatistics"
LIST = "DescribeReplicationTasks"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[SimServer, FakeSlackApi], BotProcess]]:
    started: list[BotProcess] = []

    def start(sim: SimServer, slack: FakeSlackApi) -> BotProcess:
        config = write_config(
            tmp_path / "bot.toml", slack={"channel": CHANNEL}, schedule={"check_every": "10s"}
        )
        port = free_port()
        args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
        bot = BotProcess(
            args, bot_env(sim.url, slack, tmp_path), port=port, log=tmp_path / f"bot{len(started)}.log"
        )
        started.append(bot)
        bot.wait_healthy()
        return bot

    yield start
    for bot in started:
        if bot.proc.poll() is None:
            bot.stop()


def outbox(db: Path) -> dict[str, str]:
    """Every outbox item's key and status, read the way an operator would (sqlite3 beside the bot)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT key, status FROM outbox").fetchall())


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_mid_sweep_then_restart_posts_each_alert_exactly_once(
    start_sim: Callable[..., SimServer],
    serve: Callable[[SimServer, FakeSlackApi], BotProcess],
    tmp_path: Path,
) -> None:
    """SIGKILL mid-sweep with alerts queued (Slack 503): after restart each is posted exactly once."""
    bad = {"tables": [{"schema": "crm", "name": "contacts", "validation_state": "Mismatched records"}]}
    sim = start_sim(small_fleet(**{"crm-cdc": bad}), latency={STATS: 1.0})
    with FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        slack.fail_next("chat.postMessage", status=503, times=10_000)
        bot = serve(sim, slack)
        db = tmp_path / "bot.sqlite3"
        wait_until(lambda: len(outbox(db)) == 2, 20, "the first sweep's two alerts in the outbox")
        wait_until(lambda: sim.counters()["calls"].get(LIST, 0) >= 2, 20, "the second sweep to start")
        wait_until(lambda: sim.counters()["calls"].get(STATS, 0) >= 5, 10, "the second sweep to be under way")
        bot.kill()  # SIGKILL: no shutdown handler runs
        queued = outbox(db)
        assert set(queued.values()) == {"pending"} and len(queued) == 2
        slack.clear_faults()
        restarted = serve(sim, slack)
        wait_until(lambda: set(outbox(db).values()) == {"sent"} and len(outbox(db)) >= 2, 40, "delivery")
        time.sleep(1.0)  # anything sent twice would show up now
        posts = [r for r in slack.requests("chat.postMessage") if r.ok and "thread_ts" not in r.params]
        assert sorted(p.params["text"].split()[0] for p in posts) == ["billing-cdc", "crm-cdc"]
        assert all(outbox(db)[key] == "sent" for key in queued)
        assert restarted.proc.poll() is None
        assert "Traceback" not in restarted.log()
        assert restarted.stop() == 0


def test_sigkill_while_a_post_is_in_flight_then_restart_sends_it_at_once(
    start_sim: Callable[..., SimServer],
    serve: Callable[[SimServer, FakeSlackApi], BotProcess],
    tmp_path: Path,
) -> None:
    """Killed with a chat.postMessage still unanswered: the item the dead run held is sent by the
    next run as soon as it starts (not when the dead run's 60 s lease would end), once."""
    bad = {"tables": [{"schema": "crm", "name": "contacts", "validation_state": "Mismatched records"}]}
    sim = start_sim(small_fleet(**{"crm-cdc": bad}))
    with FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        slack.fail_next("chat.postMessage", status=503, delay=30, times=1)  # Slack hangs on the first post
        bot = serve(sim, slack)
        db = tmp_path / "bot.sqlite3"
        wait_until(lambda: slack.arrived("chat.postMessage") >= 1, 20, "the first post to be in flight")
        bot.kill()
        assert set(outbox(db).values()) == {"pending"}
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            [(leased,)] = conn.execute("SELECT COUNT(*) FROM outbox WHERE leased_until IS NOT NULL")
        assert leased == 1  # the dead run's hold on the post it was sending
        began = time.monotonic()
        restarted = serve(sim, slack)
        wait_until(lambda: set(outbox(db).values()) == {"sent"}, 20, "delivery after the restart")
        print(f"\nqueued alerts delivered {time.monotonic() - began:.1f}s after the restart began")
        time.sleep(1.0)
        posts = [r for r in slack.requests("chat.postMessage") if r.ok and "thread_ts" not in r.params]
        assert sorted(p.params["text"].split()[0] for p in posts) == ["billing-cdc", "crm-cdc"]
        assert "were being sent when the bot last stopped" in restarted.log()
        assert "Traceback" not in restarted.log()
        assert restarted.stop() == 0
