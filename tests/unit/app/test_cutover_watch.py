"""The cutover watch's rules without Slack: one watch per task, the gate asked at most once a minute,
one post per turn (ready, not ready any more) and one at expiry, in the watch's thread; the webhook
event beside each turn; a stored watch carried on by a new process or a new leader, posted once.
On a real store: a SQLite file, and a database of its own on the real PostgreSQL server."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.app.cutover_watch import CutoverWatches, anchor_key
from bot.aws.budget import Priority
from bot.core.readiness import CheckName, CheckStatus, Readiness
from bot.errors import DmsError, Fenced, TaskNotFound
from bot.store import schema as t
from bot.store.base import OutboxItem
from bot.store.leases import PostgresLease
from bot.store.location import POSTGRESQL, SQLITE, locate
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.readiness import LAGGING, READY, ScriptedGate, readiness
from tests.support.simtools import Clock

HOURS = 4


@pytest.fixture(params=(SQLITE, POSTGRESQL))
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == SQLITE:
        yield str(tmp_path / "bot.db")
        return
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def stores(location: str) -> Iterator[Callable[[], SqlStore]]:
    opened: list[SqlStore] = []

    def open_() -> SqlStore:
        opened.append(SqlStore(location))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


def watches(store: SqlStore, gate: ScriptedGate, clock: Clock, **kw: object) -> CutoverWatches:
    return CutoverWatches(
        store=store,
        gate=gate,
        clock=clock,
        watch_for=HOURS * 3600,
        max_lag=5,
        steady=300,
        **kw,  # type: ignore[arg-type]
    )


def outbox(store: SqlStore) -> list[OutboxItem]:
    """Every queued item, oldest first (``due_items`` holds a thread reply back behind its post)."""
    rows = store.database.query(sa.select(t.outbox.c.id).order_by(t.outbox.c.id))
    return [item for row in rows if (item := store.get_item(row["id"])) is not None]


def texts(store: SqlStore) -> list[str]:
    return [i.payload["text"] for i in outbox(store) if i.kind.startswith("slack.")]


def test_starting_a_watch_posts_one_anchor_and_a_second_request_names_the_first(
    stores: Callable[[], SqlStore],
) -> None:
    store, clock = stores(), Clock()
    service = watches(store, ScriptedGate().then(LAGGING), clock)
    first = service.watch(LAGGING, channel="C1", user="U1")
    assert first.new and first.watch.started_by == "U1" and first.watch.ready is False
    clock.advance(minutes=3)
    second = service.watch(LAGGING, channel="C2", user="U2")
    assert not second.new and second.watch.id == first.watch.id and second.watch.started_by == "U1"
    [anchor] = outbox(store)
    assert anchor.kind == "slack.post" and anchor.key == anchor_key(first.watch.id)
    assert anchor.payload["channel"] == "C1" and "<@U1>" in anchor.payload["blocks"][0]["text"]["text"]
    assert service.watching(LAGGING.task_arn) == store.get_watch(first.watch.id)


def test_the_gate_is_asked_at_most_once_a_minute_at_background_priority(
    stores: Callable[[], SqlStore],
) -> None:
    store, clock = stores(), Clock()
    gate = ScriptedGate().then(LAGGING)
    service = watches(store, gate, clock)
    service.watch(LAGGING, channel="C1", user="U1")
    for _ in range(5):  # a tick every 10 s for 50 s: none due yet (the watch was judged at start)
        clock.advance(seconds=10)
        service.tick()
    assert gate.calls == []
    clock.advance(seconds=10)
    service.tick()
    service.tick()
    assert len(gate.calls) == 1 and gate.calls[0]["max_lag"] == 5 and gate.calls[0]["steady"] == 300
    assert gate.calls[0]["level"] is Priority.SWEEP  # background: behind anyone's /dms


def test_turning_green_posts_once_in_the_thread_then_red_once_then_green_again(
    stores: Callable[[], SqlStore],
) -> None:
    store, clock = stores(), Clock()
    gate = ScriptedGate().then(LAGGING, READY, READY, READY, LAGGING, LAGGING, READY)
    service = watches(store, gate, clock)
    started = service.watch(LAGGING, channel="C1", user="U1")
    queued = []
    for _ in range(7):
        clock.advance(minutes=1)
        queued.append(service.tick())
    assert queued == [0, 1, 0, 0, 1, 0, 1]
    replies = [i for i in outbox(store) if i.kind == "slack.thread"]
    assert [i.payload["post_key"] for i in replies] == [anchor_key(started.watch.id)] * 3
    said = [i.payload["text"] for i in replies]
    assert said[0].startswith(
        "orders-cdc is ready to cut over: lag ≤ 5 s for 5 min, 1,204 tables validated, 0 failed rows"
    )
    assert "not ready to cut over any more" in said[1] and "is ready to cut over" in said[2]
    assert "<@U1>" in replies[0].payload["blocks"][0]["text"]["text"]


def test_a_watch_started_on_a_green_gate_says_nothing_until_it_turns_red(
    stores: Callable[[], SqlStore],
) -> None:
    store, clock = stores(), Clock()
    service = watches(store, ScriptedGate().then(READY, LAGGING), clock)
    service.watch(READY, channel="C1", user="U1")
    clock.advance(minutes=1)
    assert service.tick() == 0
    clock.advance(minutes=1)
    assert service.tick() == 1
    assert "not ready to cut over any more" in texts(store)[-1]


def test_a_gate_that_cannot_judge_is_no_turn(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()
    unknown = readiness((CheckName.CDC_LATENCY, CheckStatus.UNKNOWN, "no datapoints in the last 5m"))
    gate = ScriptedGate().then(DmsError("DMS unreachable"), unknown, READY)
    service = watches(store, gate, clock)
    service.watch(LAGGING, channel="C1", user="U1")
    ticks = []
    for _ in range(3):
        clock.advance(minutes=1)
        ticks.append(service.tick())
    assert ticks == [0, 0, 1] and len(gate.calls) == 3


def test_expiry_posts_once_and_ends_the_watch(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()
    gate = ScriptedGate().then(LAGGING)
    service = watches(store, gate, clock)
    started = service.watch(LAGGING, channel="C1", user="U1")
    clock.advance(hours=HOURS)
    assert service.tick() == 1 and service.tick() == 0
    assert store.active_watches() == [] and store.get_watch(started.watch.id).ended == "expired"  # type: ignore[union-attr]
    assert "Stopped watching" in texts(store)[-1] and "4h" in texts(store)[-1]
    again = service.watch(LAGGING, channel="C1", user="U2")
    assert again.new and again.watch.id != started.watch.id


def test_a_task_gone_from_dms_ends_its_watch_with_one_post(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()
    gate = ScriptedGate().then(TaskNotFound("unknown task 'orders-cdc'"))
    service = watches(store, gate, clock)
    started = service.watch(LAGGING, channel="C1", user="U1")
    clock.advance(minutes=1)
    assert service.tick() == 1
    clock.advance(minutes=1)
    assert service.tick() == 0 and len(gate.calls) == 1
    assert store.get_watch(started.watch.id).ended == "task gone"  # type: ignore[union-attr]
    assert texts(store)[-1] == "Stopped watching orders-cdc: the task is gone"


def test_each_turn_queues_the_webhook_event_with_the_ready_document(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()
    service = watches(store, ScriptedGate().then(READY, LAGGING), clock, webhook=True)
    service.watch(LAGGING, channel="C1", user="U1")
    for _ in range(2):
        clock.advance(minutes=1)
        service.tick()
    hooks = [json.loads(i.payload["body"]) for i in outbox(store) if i.kind == "webhook"]
    assert [h["event"] for h in hooks] == ["cutover_ready", "cutover_not_ready"]
    assert hooks[0]["ready"] is True and hooks[0]["task_id"] == "orders-cdc"
    assert {c["name"] for c in hooks[1]["checks"]} == {n.value for n in CheckName}
    assert hooks[1]["blockers"] == ["cdc_latency: CDCLatencyTarget 41 s at 09:12 > 5 s"]


def test_no_webhook_configured_queues_no_webhook_event(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()
    service = watches(store, ScriptedGate().then(READY), clock)
    service.watch(LAGGING, channel="C1", user="U1")
    clock.advance(minutes=1)
    service.tick()
    assert [i.kind for i in outbox(store)] == ["slack.post", "slack.thread"]


def test_a_stored_watch_is_carried_on_by_a_new_process_and_posted_once(
    stores: Callable[[], SqlStore],
) -> None:
    """The first process starts the watch and dies; the next one (or the next leader) finds it in
    the store, sees the gate turn green, and queues one post, however often both of them tick."""
    clock = Clock()
    first = watches(stores(), ScriptedGate().then(LAGGING), clock)
    started = first.watch(LAGGING, channel="C1", user="U1")
    clock.advance(minutes=1)
    first.tick()
    clock.advance(minutes=1)
    store = stores()  # the new process
    second = watches(store, ScriptedGate().then(READY), clock)
    late = watches(stores(), ScriptedGate().then(READY), clock)  # an old leader still ticking
    assert second.tick() == 1 and late.tick() == 0 and second.tick() == 0
    clock.advance(minutes=1)
    assert late.tick() == 0 and second.tick() == 0
    replies = [i for i in outbox(store) if i.kind == "slack.thread"]
    assert len(replies) == 1 and replies[0].key == f"cutover:{started.watch.id}:turn:1"


def test_a_standby_does_not_judge_and_a_deposed_leader_writes_nothing(
    stores: Callable[[], SqlStore], location: str
) -> None:
    store, clock = stores(), Clock()
    gate = ScriptedGate().then(READY)
    standby = watches(store, gate, clock, leader=lambda: None)
    watches(store, gate, clock).watch(LAGGING, channel="C1", user="U1")
    clock.advance(minutes=1)
    assert standby.tick() == 0 and gate.calls == []
    if location.startswith("postgresql"):  # no lease row: epoch 7 does not lead, its write is fenced
        deposed = watches(store, gate, clock, leader=lambda: 7)
        assert deposed.tick() == 0
        assert [i.kind for i in outbox(store)] == ["slack.post"]
        with pytest.raises(Fenced), store.transaction(fence=7):
            pass


def test_after_a_failover_only_the_new_leader_posts_and_only_once() -> None:
    """Two replicas on one PostgreSQL database with the real lease: the old leader (frozen past
    its lease) wakes and ticks at its old epoch; its judgement is refused, the new leader's stands."""
    with scratch_database(POSTGRES_ENV) as url:
        location = url.set(drivername="postgresql").render_as_string(hide_password=False)
        old_store, new_store = SqlStore(location), SqlStore(location)
        old_lease = PostgresLease(locate(location), holder="old:1", timeout=2)
        new_lease = PostgresLease(locate(location), holder="new:2", timeout=2)
        try:
            old = old_lease.claim(None, ttl=1)
            assert old.leader
            clock = Clock()
            was_leader = watches(old_store, ScriptedGate().then(READY), clock, leader=lambda: old.epoch)
            was_leader.watch(LAGGING, channel="C1", user="U1")
            time.sleep(1.2)  # the old leader froze; its lease ran out
            new = new_lease.claim(None, ttl=30)
            assert new.leader and new.epoch != old.epoch
            leader = watches(new_store, ScriptedGate().then(READY), clock, leader=lambda: new.epoch)
            clock.advance(minutes=1)
            assert was_leader.tick() == 0  # fenced: written nothing
            assert leader.tick() == 1 and leader.tick() == 0
            replies = [i for i in outbox(new_store) if i.kind == "slack.thread"]
            assert len(replies) == 1
        finally:
            for closing in (old_lease, new_lease, old_store, new_store):
                closing.close()


def test_a_bug_judging_one_watch_does_not_stop_the_others(stores: Callable[[], SqlStore]) -> None:
    store, clock = stores(), Clock()

    class Broken(ScriptedGate):
        def assess(self, ref: str, **kw: object) -> Readiness:
            if ref == LAGGING.task_arn:
                raise ZeroDivisionError
            return replace(READY, task_arn=ref, task_id="billing-cdc")

    service = watches(store, Broken(), clock)
    other = replace(LAGGING, task_arn=LAGGING.task_arn.replace("ORDERS", "BILLING"), task_id="billing-cdc")
    service.watch(LAGGING, channel="C1", user="U1")
    service.watch(other, channel="C1", user="U2")
    clock.advance(minutes=1)
    assert service.tick() == 1
    assert "billing-cdc is ready to cut over" in texts(store)[-1]
