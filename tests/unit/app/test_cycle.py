"""The sweep cycle with several replicas (the real simulator, the real PostgreSQL): a standby does
not sweep, a former leader's sweep is fenced with nothing written or queued, and once this replica
stops leading its scheduled sweep's DMS calls are refused while questions are still answered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from bot.app.wiring import Services, build_services
from bot.aws.budget import Priority
from bot.sim import SimServer
from bot.store.leases import PostgresLease
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.inprocess import small_fleet
from tests.support.simtools import Clock, checker_for
from tests.unit.app.conftest import watching_demo


@pytest.fixture
def database() -> Iterator[str]:
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)


def replica(sim: SimServer, database: str, leader: Callable[[], int | None]) -> Services:
    settings = watching_demo()
    clock = Clock()
    sweeps = checker_for(sim.url, settings, clock=clock)
    return build_services(
        settings, slack=None, store=SqlStore(database), sweeps=sweeps, clock=clock, leader=leader
    )


def test_a_standby_does_not_sweep(start_sim: Callable[..., SimServer], database: str) -> None:
    sim = start_sim(small_fleet())
    services = replica(sim, database, leader=lambda: None)
    services.cycle.run()
    assert sim.total_calls() == 0 and services.store.last_sweep() is None
    services.store.close()


def test_a_former_leaders_sweep_is_fenced_and_nothing_is_written_or_queued(
    start_sim: Callable[..., SimServer], database: str
) -> None:
    """This replica still believes it leads at epoch 1 (its renewal is late), but another replica
    has taken over: the sweep's decisions are refused in their own transaction."""
    sim = start_sim(small_fleet())
    services = replica(sim, database, leader=lambda: 1)
    old, new = (PostgresLease(locate(database), holder=h, timeout=2) for h in ("a:1", "b:2"))
    old.claim(None, ttl=0.3)
    time.sleep(0.4)
    assert new.claim(None, ttl=30).epoch == 2
    services.cycle.run()
    assert sim.total_calls() > 0  # it swept: only the write tells it that it no longer leads
    assert services.store.last_sweep() is None and services.store.list_alerts() == []
    assert services.store.outbox_stats(services.clock()) == (0, None)
    for lease in (old, new):
        lease.close()
    services.store.close()


def test_the_leader_at_the_current_epoch_sweeps_and_alerts(
    start_sim: Callable[..., SimServer], database: str
) -> None:
    sim = start_sim(small_fleet())
    lease = PostgresLease(locate(database), holder="a:1", timeout=2)
    services = replica(sim, database, leader=lambda: 1)
    assert lease.claim(None, ttl=30).epoch == 1
    services.cycle.run()
    assert services.store.last_sweep() is not None and services.store.list_alerts(open_only=True)
    lease.close()
    services.store.close()


def test_once_leadership_is_lost_sweep_calls_are_refused_but_questions_are_answered(
    start_sim: Callable[..., SimServer], database: str
) -> None:
    """A sweep in flight when this replica froze makes no more DMS calls after it wakes."""
    sim = start_sim(small_fleet())
    services = replica(sim, database, leader=lambda: None)
    swept = services.sweeps.sweep()  # SWEEP priority, as the scheduler's
    assert sim.total_calls() == 0 and swept.errors and not swept.tasks
    assert "no longer the leader" in swept.errors[0].error
    answered = services.sweeps.sweep(level=Priority.INTERACTIVE)  # /dms check on a standby
    assert answered.tasks and not answered.errors and sim.total_calls() > 0
    services.store.close()
