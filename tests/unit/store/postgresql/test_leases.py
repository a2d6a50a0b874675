"""Leader election on the real PostgreSQL: the lease row (take, renew, expire by the database's
clock, take over with epoch + 1, resign), and fencing: a former leader's writes and outbox claims are
refused in their own transaction, and two claimers never lease the same outbox item."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.errors import Fenced
from bot.store.leases import PostgresLease
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at, report, task_verdict

TTL = 0.4  # seconds: short, so a test can wait for an expiry


@pytest.fixture
def lease_for(store: SqlStore) -> Iterator[Callable[[str], PostgresLease]]:
    """Replicas' leases on the test's (migrated) database, each with its own connection."""
    made: list[PostgresLease] = []

    def make(holder: str) -> PostgresLease:
        lease = PostgresLease(locate(store.where.target), holder=holder, timeout=2.0)
        made.append(lease)
        return lease

    yield make
    for lease in made:
        lease.close()


def take_over(lease_for: Callable[[str], PostgresLease], holder: str, *, held: int | None = None) -> int:
    """``holder`` takes the lease after the current one's short lease expires; its new epoch."""
    time.sleep(TTL + 0.1)
    claim = lease_for(holder).claim(held, ttl=30)
    assert claim.leader and claim.epoch is not None
    return claim.epoch


def test_the_first_replica_takes_the_lease_at_epoch_1_and_keeps_it_by_renewing(
    lease_for: Callable[[str], PostgresLease],
) -> None:
    a = lease_for("host-a:1")
    first = a.claim(None, ttl=30)
    renewed = a.claim(first.epoch, ttl=30)
    assert (first.leader, first.epoch, renewed.leader, renewed.epoch) == (True, 1, True, 1)
    assert renewed.lease is not None and renewed.lease.holder == "host-a:1"
    assert 29 < renewed.lease.expires_in <= 30 and renewed.lease.renewed_ago < 1


def test_a_standby_cannot_take_a_lease_that_has_not_expired(
    lease_for: Callable[[str], PostgresLease],
) -> None:
    lease_for("host-a:1").claim(None, ttl=30)
    claim = lease_for("host-b:2").claim(None, ttl=30)
    assert not claim.leader and claim.epoch is None
    assert claim.lease is not None and (claim.lease.holder, claim.lease.epoch) == ("host-a:1", 1)


def test_an_expired_lease_goes_to_the_next_replica_with_epoch_plus_one_and_the_old_leader_cannot_renew(
    lease_for: Callable[[str], PostgresLease],
) -> None:
    """The expiry is the database's: a leader that stops renewing (frozen, cut off) loses it."""
    a = lease_for("host-a:1")
    assert a.claim(None, ttl=TTL).epoch == 1
    assert take_over(lease_for, "host-b:2") == 2
    stale = a.claim(1, ttl=30)
    assert not stale.leader and stale.lease is not None and stale.lease.holder == "host-b:2"


def test_a_leader_that_renews_late_keeps_its_epoch_when_nobody_took_over(
    lease_for: Callable[[str], PostgresLease],
) -> None:
    """No other replica led meanwhile, so the same fencing token stays unique."""
    a = lease_for("host-a:1")
    a.claim(None, ttl=TTL)
    time.sleep(TTL + 0.1)
    assert a.claim(1, ttl=30).epoch == 1


def test_a_restarted_replica_with_the_same_name_does_not_inherit_the_lease(
    lease_for: Callable[[str], PostgresLease],
) -> None:
    """Same host and pid (a container restarted in its pod), but not holding an epoch: it waits."""
    lease_for("pod-0:1").claim(None, ttl=30)
    assert not lease_for("pod-0:1").claim(None, ttl=30).leader


def test_resigning_lets_a_standby_take_over_at_once(lease_for: Callable[[str], PostgresLease]) -> None:
    a, b = lease_for("host-a:1"), lease_for("host-b:2")
    a.claim(None, ttl=30)
    a.resign(1)
    assert b.claim(None, ttl=30).epoch == 2


def test_a_stale_leaders_sweep_is_fenced_and_writes_nothing(
    store: SqlStore, lease_for: Callable[[str], PostgresLease]
) -> None:
    lease_for("host-a:1").claim(None, ttl=TTL)
    take_over(lease_for, "host-b:2")
    with pytest.raises(Fenced, match=r"epoch 1 is over.*epoch 2 leads"), store.transaction(fence=1):
        store.record_sweep(report(task_verdict("orders")))
    assert store.last_sweep() is None
    with store.transaction(fence=2):
        store.record_sweep(report(task_verdict("orders")))
    assert store.last_sweep() is not None


def test_a_fenced_write_without_any_leader_is_refused(store: SqlStore) -> None:
    with pytest.raises(Fenced, match="no leader"), store.transaction(fence=1):
        store.set_meta("k", "v")
    assert store.get_meta("k") is None


def test_a_takeover_waits_for_the_fenced_transaction_in_flight(
    store: SqlStore, lease_for: Callable[[str], PostgresLease]
) -> None:
    """The fence's share lock: the old leader's last write commits before the new epoch begins."""
    lease_for("host-a:1").claim(None, ttl=TTL)
    time.sleep(TTL + 0.1)  # expired, nobody has taken it yet
    taken: list[float] = []
    with store.transaction(fence=1):
        store.set_meta("last-write", "epoch 1")
        claimer = threading.Thread(target=lambda: taken.append(take_over(lease_for, "host-b:2")))
        claimer.start()
        time.sleep(TTL + 0.5)
        assert not taken  # blocked on the row until this transaction ends
    claimer.join(5)
    assert taken == [2] and store.get_meta("last-write") == "epoch 1"


def test_an_outbox_claim_by_a_stale_epoch_is_refused_and_the_item_stays_free(
    store: SqlStore, lease_for: Callable[[str], PostgresLease]
) -> None:
    item = store.enqueue(destination="webhook", kind="webhook", payload={}, key="k1", now=at(0))
    assert item is not None
    lease_for("host-a:1").claim(None, ttl=TTL)
    take_over(lease_for, "host-b:2")
    with pytest.raises(Fenced):
        store.lease(item, until=at(1), now=at(0), epoch=1)
    assert store.lease(item, until=at(1), now=at(0), epoch=2)  # still free: the current leader claims it


def test_the_new_leader_frees_only_the_leases_of_older_epochs(
    store: SqlStore, lease_for: Callable[[str], PostgresLease]
) -> None:
    """What the dead leader was sending goes out again; what this epoch is sending is left alone."""
    ids = [
        store.enqueue(destination=f"slack:C{n}", kind="k", payload={}, key=f"k{n}", now=at(0)) for n in (1, 2)
    ]
    old, mine = ids[0], ids[1]
    assert old is not None and mine is not None
    lease_for("host-a:1").claim(None, ttl=TTL)
    assert store.lease(old, until=at(60), now=at(0), epoch=1)
    take_over(lease_for, "host-b:2")
    assert store.lease(mine, until=at(60), now=at(0), epoch=2)
    assert store.release_leases(before_epoch=2) == 1
    assert store.lease(old, until=at(60), now=at(0), epoch=2)  # free again
    assert not store.lease(mine, until=at(60), now=at(0), epoch=2)  # still held


def test_two_claimers_never_lease_the_same_item(store: SqlStore, store_location: str) -> None:
    """Two stores (two replicas' pools) race to claim the same 40 items: each is claimed once."""
    ids = [
        store.enqueue(destination="webhook", kind="k", payload={}, key=f"k{n}", now=at(0)) for n in range(40)
    ]
    other = SqlStore(store_location)
    won: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claim_all(name: str, replica: SqlStore) -> None:
        order = [i for i in ids if i is not None]
        random.Random(name).shuffle(order)
        start.wait()
        won[name] = [i for i in order if replica.lease(i, until=at(60), now=at(0))]

    threads = [threading.Thread(target=claim_all, args=(n, s)) for n, s in (("a", store), ("b", other))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.close()
    assert not set(won["a"]) & set(won["b"])
    assert sorted(won["a"] + won["b"]) == sorted(i for i in ids if i is not None)
