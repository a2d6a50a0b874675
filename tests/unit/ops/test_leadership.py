"""This replica's view of the lease (the real PostgreSQL, a hand-moved boot-time clock): one log
line per change of role, a frozen leader that knows it may not lead before asking the database, the
/metrics view of it, and SQLite's one process that always leads."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from bot.ops.leadership import Leadership, leader_only
from bot.ops.metrics import Metrics
from bot.store.leases import SOLO_EPOCH, PostgresLease, SoloLease
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database

TIMEOUT = 0.6  # leader_timeout: the lease lasts 0.4 s


class Boot:
    """A boot-time clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database() -> Iterator[str]:
    with scratch_database(POSTGRES_ENV) as url:
        text = url.set(drivername="postgresql").render_as_string(hide_password=False)
        SqlStore(text).close()  # migrated
        yield text


def replica(database: str, holder: str, clock: Boot | None = None) -> Leadership:
    lease = PostgresLease(locate(database), holder=holder, timeout=2)
    return Leadership(lease, timeout=TIMEOUT, **({"clock": clock} if clock else {}))


def test_the_first_replica_leads_and_the_second_waits_each_saying_so_in_one_line(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = replica(database, "host-a:1"), replica(database, "host-b:2")
    gained: list[int | None] = []
    a.on_change(gained.append)
    with caplog.at_level(logging.INFO, logger="bot.leadership"):
        a.tick()
        b.tick()
        a.tick()  # a renewal changes nothing
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "leadership: this replica (host-a:1) is now leader, epoch 1",
        "leadership: this replica (host-b:2) is now standby, leader is host-a:1, epoch 1",
    ]
    assert (a.epoch(), b.epoch(), gained, a.changes, b.changes) == (1, None, [1], 1, 0)
    assert a.role()[0] and not b.role()[0]
    a.stop(resign=False)
    b.stop(resign=False)


def test_a_frozen_leader_stops_leading_on_its_own_clock_and_the_standby_takes_over_with_epoch_2(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGSTOP: when it wakes, its boot-time clock has moved past the lease, so it does not lead,
    before any renewal; meanwhile the database's expiry let the standby take over."""
    frozen = Boot()
    a, b = replica(database, "host-a:1", frozen), replica(database, "host-b:2")
    a.tick()
    b.tick()
    assert a.epoch() == 1 and b.epoch() is None
    time.sleep(a.ttl + 0.1)
    frozen.now += a.ttl + 0.1
    assert a.epoch() is None  # no database call needed to know it
    b.tick()
    with caplog.at_level(logging.INFO, logger="bot.leadership"):
        a.tick()  # its renewal at epoch 1 is refused
    assert b.epoch() == 2 and a.epoch() is None and a.changes == 2
    assert caplog.records[-1].getMessage() == (
        "leadership: this replica (host-a:1) is now standby, leader is host-b:2, epoch 2"
    )
    a.stop(resign=False)
    b.stop(resign=False)


def test_the_renewal_thread_keeps_the_lease_and_a_clean_stop_hands_it_over_at_once(database: str) -> None:
    a, b = replica(database, "host-a:1"), replica(database, "host-b:2")
    a.start()
    b.start()
    time.sleep(3 * a.ttl)  # several lease lifetimes: only renewals keep it
    assert a.epoch() == 1 and b.epoch() is None
    a.stop()  # resigns
    deadline = time.monotonic() + 2 * TIMEOUT
    while b.epoch() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert b.epoch() == 2
    b.stop()


def test_on_sqlite_the_one_process_always_leads_at_a_fixed_epoch_without_a_thread() -> None:
    solo = Leadership(SoloLease("host:1"), timeout=30)
    solo.start()
    assert solo.epoch() == SOLO_EPOCH and solo.thread is None and solo.changes == 1
    solo.stop()


def test_leader_only_jobs_run_on_the_leader_alone(database: str) -> None:
    a, b = replica(database, "host-a:1"), replica(database, "host-b:2")
    a.tick()
    b.tick()
    job = leader_only(a, lambda: "ran")
    assert job() == "ran" and leader_only(b, lambda: "ran")() is None
    a.stop(resign=False)
    b.stop(resign=False)


def test_metrics_show_the_role_and_the_number_of_changes(database: str) -> None:
    a = replica(database, "host-a:1")
    metrics = Metrics()
    metrics.watch_leadership(a.is_leader, lambda: a.changes)
    assert "dms_bot_leader 0.0" in metrics.render().decode()
    a.tick()
    text = metrics.render().decode()
    assert "dms_bot_leader 1.0" in text and "dms_bot_leader_changes_total 1.0" in text
    a.stop(resign=False)
