"""Two replicas' services on one PostgreSQL database (each with its own store and pool), against
one simulator: a double click landing on both sends one ReloadTables, and a click racing the other
replica's write of the same alert loses neither change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from bot.app.revalidation import Outcome, Refusal
from bot.sim import SimServer
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.inprocess import small_fleet
from tests.unit.app.conftest import World, watching_demo

RELOAD = "ReloadTables"


@pytest.fixture
def replicas(start_sim: Callable[..., SimServer]) -> Iterator[tuple[World, World]]:
    """Two Worlds on one database and one slow simulator; the first has swept (alerts are open)."""
    sim = start_sim(small_fleet(), latency=0.2)
    with scratch_database(POSTGRES_ENV) as url:
        location = url.set(drivername="postgresql").render_as_string(hide_password=False)
        one = World(sim, watching_demo(), location=location)
        two = World(sim, watching_demo(), location=location)
        one.sweep()
        try:
            yield one, two
        finally:
            one.store.close()
            two.store.close()


def test_a_double_click_landing_on_two_replicas_sends_one_reload_tables(
    replicas: tuple[World, World],
) -> None:
    one, two = replicas
    arn = one.arn("billing-cdc")
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def click(world: World, user: str) -> None:
        start.wait()
        outcomes.append(world.incidents.revalidate(arn, user=user, operator=True))

    threads = [threading.Thread(target=click, args=pair) for pair in ((one, "U0ONE"), (two, "U0TWO"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(str(o.refused) for o in outcomes) == sorted([str(None), str(Refusal.JUST_SENT)])
    assert one.calls(RELOAD) == 1
    assert [e.action for e in two.store.audit_entries()] == ["revalidate"]


def test_an_acknowledgement_waits_for_the_other_replicas_write_of_the_alert_and_keeps_it(
    replicas: tuple[World, World],
) -> None:
    """Replica one holds the alert (as its sweep's save does) while replica two acknowledges it."""
    leader, standby = replicas
    arn = leader.arn("billing-cdc")
    locked = threading.Event()

    def sweep_save() -> None:
        with leader.store.transaction():
            alert = leader.store.get_alert(arn, for_update=True)
            assert alert is not None
            locked.set()
            time.sleep(0.3)
            leader.store.save_alert(replace(alert, summary="what the sweep saw"))

    thread = threading.Thread(target=sweep_save)
    thread.start()
    assert locked.wait(10)
    assert standby.incidents.acknowledge(arn, user="U0ACK") is True
    thread.join(10)
    final = leader.store.get_alert(arn)
    assert final is not None and (final.summary, final.acked_by) == ("what the sweep saw", "U0ACK")
