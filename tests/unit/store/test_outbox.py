"""The delivery outbox: dedupe by key, in-order delivery per destination, retries, giving up."""

from __future__ import annotations

import threading

import pytest

from bot.errors import StoreError
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at

SLACK = "slack:C1"
OTHER = "slack:C2"


def put(store: SqlStore, key: str, destination: str = SLACK, minutes: float = 0) -> int:
    item_id = store.enqueue(
        destination=destination, kind="post", payload={"key": key}, key=key, now=at(minutes)
    )
    assert item_id is not None
    return item_id


def test_enqueue_round_trips_a_pending_item(store: SqlStore) -> None:
    """A new item is pending, due now, with its payload intact."""
    payload = {"text": "héllo", "blocks": [{"type": "section", "n": 1.5, "ok": True, "x": None}]}
    item_id = store.enqueue(destination=SLACK, kind="post", payload=payload, key="sweep-1:a:post", now=at(0))
    assert item_id is not None
    item = store.get_item(item_id)
    assert item is not None
    assert (item.destination, item.kind, item.payload, item.key) == (SLACK, "post", payload, "sweep-1:a:post")
    assert (item.status, item.attempts, item.last_error, item.result) == ("pending", 0, None, None)
    assert item.created_at == item.next_attempt_at == at(0)
    assert store.get_item(item_id + 100) is None


def test_enqueue_with_an_existing_key_is_a_no_op(store: SqlStore) -> None:
    """Re-running the same sweep after a crash cannot enqueue twice, even once the first was sent."""
    first = put(store, "k")
    assert store.enqueue(destination=SLACK, kind="post", payload={"other": 1}, key="k", now=at(1)) is None
    store.mark_sent(first, result={"ts": "1.2"}, at=at(2))
    assert store.enqueue(destination=SLACK, kind="post", payload={}, key="k", now=at(3)) is None
    item = store.get_item(first)
    assert item is not None and item.payload == {"key": "k"}


def test_due_items_gives_only_the_head_of_each_destination(store: SqlStore) -> None:
    """Per destination only the oldest pending item is eligible; overall ordered by id."""
    a1, b1, a2, c1 = put(store, "a1"), put(store, "b1", OTHER), put(store, "a2"), put(store, "c1", "webhook")
    assert [i.id for i in store.due_items(now=at(0))] == [a1, b1, c1]
    assert [i.id for i in store.due_items(now=at(0), limit=2)] == [a1, b1]
    store.mark_sent(a1, result={"ts": "1"}, at=at(0))
    assert [i.id for i in store.due_items(now=at(0))] == [b1, a2, c1]


def test_items_not_yet_due_are_not_returned(store: SqlStore) -> None:
    """An item enqueued in the future (by ``now``) waits for its time."""
    put(store, "later", minutes=10)
    assert store.due_items(now=at(5)) == []
    assert [i.key for i in store.due_items(now=at(10))] == ["later"]


def test_a_head_waiting_for_retry_blocks_its_destination_only(store: SqlStore) -> None:
    """A failed head with a future next_attempt_at holds back later items there, not elsewhere."""
    a1, a2, b1 = put(store, "a1"), put(store, "a2"), put(store, "b1", OTHER)
    store.mark_retry(a1, error="ratelimited", next_attempt_at=at(5))
    assert [i.id for i in store.due_items(now=at(1))] == [b1]
    [retried] = [i for i in store.due_items(now=at(5)) if i.destination == SLACK]
    assert retried.id == a1 and retried.id != a2
    assert (retried.attempts, retried.last_error, retried.next_attempt_at) == (1, "ratelimited", at(5))


def test_a_dead_item_no_longer_blocks_its_destination(store: SqlStore) -> None:
    """Giving up on the head lets the next item of that destination through."""
    a1, a2 = put(store, "a1"), put(store, "a2")
    store.mark_retry(a1, error="500", next_attempt_at=at(60))
    store.mark_dead(a1, error="gave up")
    assert [i.id for i in store.due_items(now=at(1))] == [a2]
    dead = store.get_item(a1)
    assert dead is not None and (dead.status, dead.attempts, dead.last_error) == ("dead", 2, "gave up")


def test_a_leased_head_is_not_due_and_holds_back_its_destination(store: SqlStore) -> None:
    """An item being sent is held (with the items behind it) until its lease ends."""
    a1, a2, b1 = put(store, "a1"), put(store, "a2"), put(store, "b1", OTHER)
    store.lease(a1, until=at(1))
    assert [i.id for i in store.due_items(now=at(0.5))] == [b1]
    assert [i.id for i in store.due_items(now=at(1))] == [a1, b1]
    assert a2 not in [i.id for i in store.due_items(now=at(1))]


def test_release_leases_frees_only_what_was_being_sent(store: SqlStore) -> None:
    """At start-up the dead run's leased items are due again; items waiting for backoff keep waiting."""
    sending, backing_off = put(store, "sending"), put(store, "backoff", OTHER)
    done = put(store, "done", "webhook")
    store.mark_retry(backing_off, error="503", next_attempt_at=at(30))
    store.lease(sending, until=at(60))
    store.lease(done, until=at(60))
    store.mark_sent(done, result=None, at=at(0))
    assert store.due_items(now=at(1)) == []
    assert store.release_leases() == 1
    assert [i.id for i in store.due_items(now=at(1))] == [sending]
    assert store.release_leases() == 0


def test_each_outcome_ends_the_lease(store: SqlStore) -> None:
    """After a retry the item waits for its backoff, not for the (longer) lease it had."""
    item_id = put(store, "a1")
    store.lease(item_id, until=at(60))
    store.mark_retry(item_id, error="503", next_attempt_at=at(2))
    assert [i.id for i in store.due_items(now=at(2))] == [item_id]
    assert store.release_leases() == 0


def test_mark_sent_keeps_the_result(store: SqlStore) -> None:
    """The destination's answer (Slack channel and ts) is stored with the item."""
    item_id = put(store, "a1")
    store.mark_sent(item_id, result={"channel": "C1", "ts": "1700000000.000100"}, at=at(1))
    item = store.get_item(item_id)
    assert item is not None and item.status == "sent"
    assert item.result == {"channel": "C1", "ts": "1700000000.000100"}
    assert store.due_items(now=at(2)) == []


def test_marking_an_unknown_item_is_an_error(store: SqlStore) -> None:
    """A wrong id fails loudly rather than silently losing a delivery outcome."""
    with pytest.raises(StoreError, match="does not exist"):
        store.mark_sent(999, result=None, at=at(0))


def test_outbox_stats_counts_pending_and_oldest_age(store: SqlStore) -> None:
    """(pending, age of the oldest pending in seconds); (0, None) when nothing waits."""
    assert store.outbox_stats(at(0)) == (0, None)
    first = put(store, "a1", minutes=1)
    put(store, "b1", OTHER, minutes=3)
    assert store.outbox_stats(at(11)) == (2, 600.0)
    store.mark_sent(first, result=None, at=at(11))
    assert store.outbox_stats(at(11)) == (1, 480.0)


def test_threads_enqueue_and_mark_concurrently(store: SqlStore) -> None:
    """Four threads sharing one store enqueue, read and mark without errors or lost items."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                item_id = put(store, f"t{n}-{i}", destination=f"slack:C{n}")
                with store.transaction():
                    store.due_items(now=at(0))
                    store.mark_sent(item_id, result={"i": i}, at=at(0))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.outbox_stats(at(0)) == (0, None)
    items = [store.get_item(i) for i in range(1, 102)]
    assert [item.status if item else None for item in items] == ["sent"] * 100 + [None]


def test_an_attempt_in_doubt_is_kept_while_pending_and_replaced_by_the_answer(store: SqlStore) -> None:
    """The lease records the attempt of a post; a retry keeps it only when asked (outcome unknown),
    the release after a crash keeps it, and the answer replaces it."""
    item_id = put(store, "k")
    attempt = {"attempt_first": 1.5, "attempt_last": 2.5}
    assert store.lease(item_id, until=at(1), now=at(0), attempt=attempt)
    assert store.release_leases() == 1  # the sender died mid-call
    item = store.get_item(item_id)
    assert item is not None and item.result == attempt and item.status == "pending"
    store.mark_retry(item_id, error="timed out", next_attempt_at=at(1), attempt=attempt)
    assert (store.get_item(item_id) or item).result == attempt
    store.mark_retry(item_id, error="ratelimited", next_attempt_at=at(2))  # Slack did nothing
    assert (store.get_item(item_id) or item).result is None
    assert store.lease(item_id, until=at(3), now=at(2))  # no attempt given: result untouched
    store.mark_sent(item_id, result={"channel": "C1", "ts": "1.2"}, at=at(2))
    assert (store.get_item(item_id) or item).result == {"channel": "C1", "ts": "1.2"}
