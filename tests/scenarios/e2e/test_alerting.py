"""Change-based alerting, in-process: the real sweep against the simulator, the real SQLite store,
the outbox delivered to the fake Slack API and a real webhook receiver over HTTP."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.app.sweeps import Sweeps
from bot.app.wiring import build_services
from bot.core.models import Policy
from bot.settings import ScheduleSettings, Secret, Settings, Target, WebhookSettings
from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from bot.store.sql import SqlStore
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.simtools import REGION, Clock, checker_for, settings_for

CHANNEL = "C0123456789"


@dataclass
class Bot:
    """The serve loop's pieces, wired the way ``serve`` wires them, stepped by hand."""

    sim: SimServer
    slack: FakeSlackApi
    settings: Settings
    db: Path
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.open()

    def open(self) -> None:
        self.store = SqlStore(self.db)
        self.checker: Sweeps = checker_for(self.sim.url, self.settings, clock=self.clock)
        client = WebClient(token=BOT_TOKEN, base_url=self.slack.url)
        services = build_services(
            self.settings,
            slack=client,
            store=self.store,
            sweeps=self.checker,
            clock=self.clock,
            base_delay=0.0,
        )
        self.alerter = services.incidents
        self.deliverer = services.deliverer

    def sweep(self, advance_minutes: float = 15) -> None:
        """Advance both clocks, sweep, decide, deliver."""
        self.clock.advance(minutes=advance_minutes)
        self.sim.advance(advance_minutes * 60)
        self.alerter.after_sweep(self.checker.sweep())
        self.deliverer.run_once()

    def restart(self) -> None:
        self.store.close()
        self.open()


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def make_settings(**webhook: object) -> Settings:
    base = settings_for(Target(name="demo", region=REGION, channel=CHANNEL, mention="S0ONCALL"))
    return replace(
        base,
        policy=Policy(stuck_after=2 * 3600),
        schedule=ScheduleSettings(remind_every=4 * 3600),
        webhook=WebhookSettings(**webhook),  # type: ignore[arg-type]
    )


@pytest.fixture
def bot(start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path) -> Bot:
    return Bot(start_sim(load_scenario(DEMO_SCENARIO)), slack, make_settings(), tmp_path / "bot.sqlite3")


def posts_about(slack: FakeSlackApi, task: str) -> list:
    return [
        r
        for r in slack.requests("chat.postMessage")
        if f"{task} is " in r.params["text"] and "thread_ts" not in r.params
    ]


def thread_replies(slack: FakeSlackApi) -> list:
    return [r for r in slack.requests("chat.postMessage") if "thread_ts" in r.params]


def test_table_going_bad_then_recovering(bot: Bot, slack: FakeSlackApi) -> None:
    """One alert post, in-place updates while bad, then one "recovered" reply and a resolved message."""
    bot.sweep(advance_minutes=0)  # t=0: orders-cdc healthy
    assert posts_about(slack, "orders-cdc") == []
    bot.sweep(advance_minutes=2.5)  # sales.orders Mismatched records
    [post] = posts_about(slack, "orders-cdc")
    assert "<!subteam^S0ONCALL>" in str(post.params["blocks"])  # on-call mentioned on the first post
    ts = post.response["ts"]
    bot.sweep(advance_minutes=2)  # worse: 57 failed records
    bot.sweep(advance_minutes=2)  # validated again
    assert len(posts_about(slack, "orders-cdc")) == 1
    updates = [u for u in slack.requests("chat.update") if u.params["ts"] == ts]
    assert len(updates) == 2
    assert "57" in str(updates[0].params["blocks"])
    assert "<!subteam^" not in str(updates[0].params["blocks"])  # no mention on updates
    replies = [r for r in thread_replies(slack) if r.params["thread_ts"] == ts]
    assert len(replies) == 1 and "ecovered" in replies[0].params["text"]
    assert "Resolved" in str(updates[1].params["blocks"]) or "resolved" in updates[1].params["text"].lower()


def test_restart_between_sweeps_posts_nothing_twice(bot: Bot, slack: FakeSlackApi) -> None:
    """Stop and start between sweeps: the open alerts are updated, never re-posted."""
    bot.sweep(advance_minutes=0)
    first = len(slack.requests("chat.postMessage"))
    assert first == 3  # billing-cdc, crm-cdc and payments-serverless (a DMS Serverless replication)
    bot.restart()
    bot.sweep()
    bot.restart()
    bot.sweep()
    assert len(slack.requests("chat.postMessage")) == first
    assert len(slack.requests("chat.update")) == 6


def test_outbox_survives_slack_outage_and_restart(bot: Bot, slack: FakeSlackApi) -> None:
    """Slack down: nothing lost; after a restart every queued message is delivered once, in order."""
    slack.fail_next("chat.postMessage", status=503, times=50)
    bot.sweep(advance_minutes=0)
    assert slack.requests("chat.postMessage")  # tried
    assert all(not r.ok for r in slack.requests("chat.postMessage"))
    depth, _ = bot.store.outbox_stats(bot.clock())
    assert depth == 3
    slack.clear_faults()
    bot.restart()
    bot.deliverer.run_once()
    bot.sweep()
    delivered = [r for r in slack.requests("chat.postMessage") if r.ok]
    assert len(delivered) == 3
    assert "billing-cdc is" in delivered[0].params["text"] and "crm-cdc is" in delivered[1].params["text"]
    assert "payments-serverless is" in delivered[2].params["text"]
    assert bot.store.outbox_stats(bot.clock())[0] == 0


def test_restart_after_dying_mid_send_delivers_at_once(bot: Bot, slack: FakeSlackApi) -> None:
    """Killed while sending (the item still leased): the next run sends it at start-up, not a minute
    later when the dead run's lease would have ended, and each alert is posted once."""
    bot.clock.advance(minutes=0)
    bot.alerter.after_sweep(bot.checker.sweep())  # queued, not yet sent
    [head] = [i for i in bot.store.due_items(now=bot.clock()) if i.destination == f"slack:{CHANNEL}"]
    bot.store.lease(head.id, until=bot.clock() + timedelta(seconds=60))  # then SIGKILL mid-send
    bot.restart()
    assert bot.deliverer.run_once() == 0  # the lease would hold the channel's queue for a minute
    bot.deliverer.release_stale_leases()
    assert bot.deliverer.run_once() == 3
    assert len(posts_about(slack, "billing-cdc")) == len(posts_about(slack, "crm-cdc")) == 1
    assert len(posts_about(slack, "payments-serverless")) == 1


def test_snooze_silences_until_it_expires(bot: Bot, slack: FakeSlackApi) -> None:
    """A snoozed task gets no reminders; after expiry reminders resume; recovery is always announced."""
    bot.sweep(advance_minutes=0)
    [billing] = posts_about(slack, "billing-cdc")
    arn = next(a.task_arn for a in bot.store.list_alerts() if a.task_id == "billing-cdc")
    bot.store.set_snooze(arn, until=bot.clock() + timedelta(hours=24), by="U1", at=bot.clock())
    for _ in range(8):  # 8 x 1h: reminders would be due at 4h and 8h
        bot.sweep(advance_minutes=60)
    ts = billing.response["ts"]
    assert [r for r in thread_replies(slack) if r.params["thread_ts"] == ts] == []
    for _ in range(20):  # past the snooze's end (24h)
        bot.sweep(advance_minutes=60)
    reminders = [r for r in thread_replies(slack) if r.params["thread_ts"] == ts]
    assert len(reminders) >= 1
    assert all("till failing" in r.params["text"] or "Still" in r.params["text"] for r in reminders)


def test_webhook_gets_each_report_once_despite_503s(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path
) -> None:
    """503 ten times then 200: delivered exactly once, same Idempotency-Key every try, valid signature."""
    with HttpReceiver() as receiver:
        receiver.script([503] * 10 + [200])
        settings = make_settings(url=Secret(receiver.url), signing_secret=Secret("hook-secret"), timeout=2.0)
        bot = Bot(start_sim(load_scenario(DEMO_SCENARIO)), slack, settings, tmp_path / "w.sqlite3")
        bot.sweep(advance_minutes=0)
        for _ in range(15):
            bot.deliverer.run_once()
        requests = receiver.requests()
        assert [r.answered for r in requests] == [503] * 10 + [200]
        keys = {r.headers["idempotency-key"] for r in requests}
        assert len(keys) == 1
        body = requests[-1].body
        expected = "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
        assert requests[-1].headers["x-dms-bot-signature"] == expected
        assert requests[-1].json["status"] == "failure"


def test_webhook_on_changes_only(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path
) -> None:
    """With send = "changes", a sweep that changes no alert sends nothing."""
    with HttpReceiver() as receiver:
        settings = make_settings(url=Secret(receiver.url), send="changes")
        bot = Bot(start_sim(load_scenario(DEMO_SCENARIO)), slack, settings, tmp_path / "c.sqlite3")
        bot.sweep(advance_minutes=0)  # two alerts open: a change
        bot.sweep(advance_minutes=1)  # nothing new
        assert len(receiver.requests()) == 1


def test_stuck_validation_becomes_a_warning(bot: Bot) -> None:
    """Pending records that do not go down for stuck_after are reported as "validation stuck"."""
    bot.sweep(advance_minutes=0)
    for _ in range(9):
        bot.sweep(advance_minutes=15)
    report = bot.alerter.after_sweep(bot.checker.sweep())
    orders = next(v for v in report.tasks if v.task.identifier == "orders-cdc")
    assert any("validation stuck" in r for r in orders.reasons), orders.reasons
