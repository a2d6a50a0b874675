"""The application services over real parts: the simulator (through boto3), SQLite in memory and a
hand-moved clock. No Slack: what the services decide is read back from the store and its outbox."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.app.incidents import Incidents
from bot.app.questions import Questions
from bot.app.revalidation import Outcome
from bot.app.sweeps import Sweeps
from bot.settings import Settings, Target
from bot.sim import Scenario, SimServer
from bot.store.base import OutboxItem
from bot.store.sql import SqlStore
from tests.support.inprocess import small_fleet, table
from tests.support.simtools import REGION, Clock, checker_for, settings_for

CHANNEL = "C0ALERTS01"
UNKNOWN_ARN = "arn:aws:dms:eu-west-1:123456789012:task:NOSUCHTASK0000000000000000000000000000000"


def recovering_fleet() -> Scenario:
    """The small fleet, where billing-cdc's mismatched table is validated again at 10 minutes."""
    invoices = table(
        "billing",
        "invoices",
        validation_state="Mismatched records",
        failed_records=3,
        changes=[{"at": "10m", "validation_state": "Validated", "failed_records": 0}],
    )
    return small_fleet(**{"billing-cdc": {"tables": [invoices, table("billing", "payments")]}})


def with_a_stopped_task() -> Scenario:
    """The small fleet plus stopped-cdc: stopped, with a mismatched table."""
    bad = table("ops", "orders", validation_state="Mismatched records", failed_records=2)
    return small_fleet(**{"stopped-cdc": {"status": "stopped", "tables": [bad]}})


def watching_demo(**kw: Any) -> Settings:
    """One target, ``demo``, posting to CHANNEL (``kw`` as for :func:`tests.support.simtools.settings_for`)."""
    return settings_for(Target(name="demo", region=REGION, channel=CHANNEL), **kw)


@dataclass
class World:
    """One set of services the way the composition root wires them, minus the outbox's thread."""

    sim: SimServer
    settings: Settings
    clock: Clock = field(default_factory=Clock)
    wakes: int = 0
    location: str = ":memory:"  # or a PostgreSQL URL that several Worlds (replicas) share

    def __post_init__(self) -> None:
        self.store = SqlStore(self.location)
        self.sweeps: Sweeps = checker_for(self.sim.url, self.settings, clock=self.clock)
        self.questions = Questions(self.sweeps, store=self.store, clock=self.clock)
        self.incidents = Incidents(
            store=self.store,
            settings=self.settings,
            questions=self.questions,
            clock=self.clock,
            wake=self.wake,
        )

    def wake(self) -> None:
        self.wakes += 1

    def sweep(self, *, minutes: float = 0) -> None:
        """Move both clocks, sweep, and let Incidents decide (as the serve loop does)."""
        self.clock.advance(minutes=minutes)
        self.sim.advance(minutes * 60)
        self.incidents.after_sweep(self.sweeps.sweep())

    def arn(self, identifier: str) -> str:
        """A task's ARN, from the bot's own listing."""
        return next(t.arn for _, t in self.sweeps.list_tasks() if t.identifier == identifier)

    def outbox(self) -> list[OutboxItem]:
        """Every outbox item, in the order it was queued (ids count up from 1 in a new store)."""
        items: list[OutboxItem] = []
        while (item := self.store.get_item(len(items) + 1)) is not None:
            items.append(item)
        return items

    def click_twice_at_once(self, arn: str) -> list[Outcome]:
        """Two operators click Revalidate on ``arn`` in the same instant, from two threads."""
        start = threading.Barrier(2)
        outcomes: list[Outcome] = []

        def click(user: str) -> None:
            start.wait()
            outcomes.append(self.incidents.revalidate(arn, user=user, operator=True))

        threads = [threading.Thread(target=click, args=(u,)) for u in ("U0ONE", "U0TWO")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        return outcomes

    def calls(self, op: str) -> int:
        """How many requests of ``op`` the simulator received."""
        return self.sim.counters()["calls"].get(op, 0)


MakeWorld = Callable[..., World]


@pytest.fixture
def make_world(start_sim: Callable[..., SimServer]) -> MakeWorld:
    """A World over a fresh simulator (the small fleet unless told otherwise)."""

    def make(
        scenario: Scenario | None = None, *, settings: Settings | None = None, **sim_options: Any
    ) -> World:
        sim = start_sim(scenario or small_fleet(), **sim_options)
        return World(sim, settings or watching_demo())

    return make


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world()
