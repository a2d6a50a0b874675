"""Cutover watches in the store, on SQLite and PostgreSQL: one active watch per task, kept state,
and an ended watch makes room for the next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.errors import StoreError
from bot.store import schema as t
from bot.store.base import CutoverWatch
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at

ARN = "arn:aws:dms:eu-west-1:123456789012:task:ORDERS"
OTHER = "arn:aws:dms:eu-west-1:123456789012:task:BILLING"


def start(
    store: SqlStore, arn: str = ARN, *, by: str = "U1", minutes: float = 0
) -> tuple[CutoverWatch, bool]:
    return store.add_watch(
        task_arn=arn,
        task_id="orders-cdc",
        channel="C1",
        started_by=by,
        at=at(minutes),
        expires_at=at(minutes) + timedelta(hours=4),
    )


def test_a_new_watch_is_stored_with_who_started_it(store: SqlStore) -> None:
    watch, new = start(store)
    assert new
    assert (watch.task_arn, watch.started_by, watch.channel) == (ARN, "U1", "C1")
    assert watch.expires_at - watch.started_at == timedelta(hours=4)
    assert watch.ready is None and watch.changes == 0 and watch.ended_at is None
    assert store.active_watches() == [watch] and store.get_watch(watch.id) == watch


def test_a_second_watch_on_the_same_task_returns_the_first(store: SqlStore) -> None:
    first, _ = start(store, by="U1")
    again, new = start(store, by="U2", minutes=5)
    assert not new and again == first and again.started_by == "U1"
    other, new_other = start(store, OTHER, by="U2")
    assert new_other and other.id != first.id
    assert [w.task_arn for w in store.active_watches()] == [ARN, OTHER]


def test_state_is_saved_and_an_ended_watch_makes_room(store: SqlStore) -> None:
    watch, _ = start(store)
    checked = replace(watch, ready=True, checked_at=at(1), changes=1)
    store.save_watch(checked)
    assert store.get_watch(watch.id) == checked
    store.save_watch(replace(checked, ended_at=at(2), ended="expired"))
    assert store.active_watches() == [] and store.active_watch(ARN) is None
    assert store.get_watch(watch.id).ended == "expired"  # type: ignore[union-attr]
    second, new = start(store, by="U3", minutes=3)
    assert new and second.id != watch.id and store.active_watch(ARN) == second


def test_the_database_itself_refuses_two_active_watches(store: SqlStore) -> None:
    """The partial unique index backs the check-then-insert up, whatever writes the rows."""
    start(store)
    row = {
        "task_arn": ARN,
        "task_id": "orders-cdc",
        "channel": "C1",
        "started_by": "U9",
        "started_at": at(0),
        "expires_at": at(60),
    }
    with pytest.raises(StoreError):
        store.database.write(sa.insert(t.cutover_watches).values(row))


def test_watches_survive_reopening(open_store: Callable[..., SqlStore]) -> None:
    first = open_store()
    watch, _ = start(first)
    first.save_watch(replace(watch, ready=False, checked_at=at(1)))
    first.close()
    again = open_store()
    assert again.active_watch(ARN) == replace(watch, ready=False, checked_at=at(1))
