"""The standbys' watch on the leader's sweeps, with two replicas (two service sets) on one real
PostgreSQL database and the fake Slack API over HTTP: no sweep for 3 times ``check_every`` gets one
warning in the report channel however many standbys see it, posted by a standby itself (nobody
delivers the outbox: the leader is gone), and one "sweeps resumed" when a sweep is recorded again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.app.replicas import build_leadership, build_sweep_watch
from bot.app.sweep_watch import SweepWatch
from bot.app.wiring import build_services
from bot.core.models import Report
from bot.deliver.deliverer import Deliverer
from bot.settings import SlackSettings, StoreSettings, WebhookSettings
from bot.sim import SimServer
from bot.store.leases import PostgresLease
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.inprocess import small_fleet
from tests.support.serve_process import CHANNEL
from tests.support.simtools import Clock, checker_for
from tests.unit.app.conftest import watching_demo

CHECK_EVERY = 600.0  # 10 minutes: a standby warns after 30 without a sweep
POST = "chat.postMessage"
LEADER = "leader-host:41"


@pytest.fixture
def database() -> Iterator[str]:
    with scratch_database(POSTGRES_ENV) as url:
        text = url.set(drivername="postgresql").render_as_string(hide_password=False)
        SqlStore(text).close()  # migrated
        yield text


@pytest.fixture
def lease(database: str) -> Iterator[PostgresLease]:
    """The (soon dead) leader's lease row."""
    held = PostgresLease(locate(database), holder=LEADER, timeout=2)
    assert held.claim(None, ttl=1).leader
    yield held
    held.close()


class Replica:
    """One replica's store, outbox sender and watch (its outbox thread never runs: no leader)."""

    def __init__(self, database: str, slack: FakeSlackApi, clock: Clock, name: str) -> None:
        self.leading = False
        self.store = SqlStore(database)
        client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
        deliverer = Deliverer(store=self.store, slack=client, webhook=WebhookSettings(), clock=clock)
        self.reader = PostgresLease(locate(database), holder=name, timeout=2)
        self.watch = SweepWatch(
            store=self.store,
            channel=CHANNEL,
            check_every=CHECK_EVERY,
            standby=lambda: not self.leading,
            lease=self.reader.read,
            send_now=deliverer.send_now,
            clock=clock,
            replica=name,
        )

    def close(self) -> None:
        self.reader.close()
        self.store.close()


@pytest.fixture
def replicas(
    database: str, slack: FakeSlackApi, lease: PostgresLease
) -> Iterator[tuple[Clock, Replica, Replica]]:
    clock = Clock()
    pair = Replica(database, slack, clock, "standby-a:1"), Replica(database, slack, clock, "standby-b:2")
    yield clock, *pair
    for one in pair:
        one.close()


def sweep(store: SqlStore, clock: Clock) -> None:
    """The leader records a sweep (what a completed sweep leaves in the store)."""
    store.record_sweep(Report(checked_at=clock(), duration_seconds=1.0))


def posts(slack: FakeSlackApi) -> list[str]:
    return [str(r.params.get("text")) for r in slack.requests(POST) if r.ok]


def check_both(clock: Clock, a: Replica, b: Replica, *, minutes: float) -> None:
    clock.advance(minutes=minutes)
    a.watch.check()
    b.watch.check()


def test_one_warning_per_outage_across_standbys_then_one_sweeps_resumed(
    replicas: tuple[Clock, Replica, Replica], slack: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    clock, a, b = replicas
    sweep(a.store, clock)
    check_both(clock, a, b, minutes=29)
    assert posts(slack) == []  # 29 minutes: fewer than 3 sweeps missed
    with caplog.at_level(logging.INFO, logger="bot.sweep_watch"):
        check_both(clock, a, b, minutes=2)
        for _ in range(3):
            check_both(clock, b, a, minutes=1)
    assert posts(slack) == [
        "No DMS sweep since 2026-11-26T09:00:00Z; leader leader-host:41 last seen " + seen(slack)
    ]
    assert [r.getMessage() for r in caplog.records] == [
        f"no DMS sweep since 2026-11-26T09:00:00+00:00; leader {LEADER}: warning channel {CHANNEL}"
    ]
    sweep(b.store, clock)  # a new leader sweeps
    for _ in range(3):
        check_both(clock, a, b, minutes=1)
    assert posts(slack)[1:] == ["DMS sweeps resumed (2026-11-26T09:34:00Z)"]
    assert {r.params["channel"] for r in slack.requests(POST)} == {CHANNEL}


def test_the_next_outage_is_warned_of_again(
    replicas: tuple[Clock, Replica, Replica], slack: FakeSlackApi
) -> None:
    clock, a, b = replicas
    sweep(a.store, clock)
    check_both(clock, a, b, minutes=31)
    sweep(a.store, clock)
    check_both(clock, a, b, minutes=1)
    check_both(clock, a, b, minutes=31)
    check_both(clock, a, b, minutes=1)
    texts = posts(slack)
    assert [t.split(";")[0] for t in texts] == [
        "No DMS sweep since 2026-11-26T09:00:00Z",
        "DMS sweeps resumed (2026-11-26T09:31:00Z)",
        "No DMS sweep since 2026-11-26T09:31:00Z",
    ]


def test_the_leader_does_not_warn_of_itself(
    replicas: tuple[Clock, Replica, Replica], slack: FakeSlackApi
) -> None:
    clock, a, b = replicas
    a.leading = b.leading = True
    sweep(a.store, clock)
    check_both(clock, a, b, minutes=120)
    assert posts(slack) == []


def test_a_standby_that_has_just_started_waits_its_own_3_periods(
    database: str, slack: FakeSlackApi, lease: PostgresLease
) -> None:
    """A whole deployment restarted after a long stop: the last sweep is old, but the new leader is
    about to sweep; a standby judges only the time it has watched."""
    clock = Clock()
    old = SqlStore(database)
    sweep(old, clock)
    clock.advance(hours=5)
    fresh = Replica(database, slack, clock, "standby-a:1")
    fresh.watch.check()
    assert posts(slack) == []
    clock.advance(minutes=30)
    fresh.watch.check()
    assert len(posts(slack)) == 1
    old.close()
    fresh.close()


def test_a_warning_slack_refused_is_sent_by_the_next_check_once(
    replicas: tuple[Clock, Replica, Replica], slack: FakeSlackApi
) -> None:
    clock, a, b = replicas
    sweep(a.store, clock)
    slack.fail_next(POST, status=500)
    clock.advance(minutes=31)
    a.watch.check()
    assert posts(slack) == []
    check_both(clock, a, b, minutes=1)  # past the outbox's backoff
    check_both(clock, a, b, minutes=1)
    assert len(posts(slack)) == 1


def seen(slack: FakeSlackApi) -> str:
    """The leader's last renewal, as the message said it (the database's clock, not the test's)."""
    text = str(slack.requests(POST)[0].params["text"])
    return text.rsplit("last seen ", 1)[1]


def test_serve_watches_only_on_postgresql_with_a_report_channel(
    database: str, start_sim: Callable[..., SimServer]
) -> None:
    settings = replace(
        watching_demo(), store=StoreSettings(path=database), slack=SlackSettings(channel=CHANNEL)
    )
    clock = Clock()
    sweeps = checker_for(start_sim(small_fleet()).url, settings, clock=clock)
    services = build_services(settings, slack=None, store=SqlStore(database), sweeps=sweeps, clock=clock)
    leadership = build_leadership(settings)
    watch = build_sweep_watch(settings, services, leadership)
    assert watch is not None and watch.channel == CHANNEL and watch.standby()  # it has not led yet
    assert watch.replica == leadership.holder and watch.patience == timedelta(seconds=3 * 900)
    assert build_sweep_watch(replace(settings, slack=SlackSettings()), services, leadership) is None
    on_sqlite = replace(settings, store=StoreSettings(path=":memory:"))
    assert build_sweep_watch(on_sqlite, services, leadership) is None
    leadership.lease.close()
    services.store.close()
