"""Once across replicas, on both backends: claims, transactions serialised by name, audit entries
finished in place, and alert rows locked for a read-modify-write. Each "replica" is a second store
opened on the same database (its own connection pool)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.errors import StoreError
from bot.store.claims import lock_key, stamp
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at
from tests.unit.store.test_state import ARN, full_alert

HOLD = 0.3  # seconds the first transaction keeps its lock while the second one waits


def test_the_first_claim_wins_on_every_replica(open_store: Callable[..., SqlStore]) -> None:
    one, two = open_store(), open_store()
    assert one.claim("event:Ev1", at=at(0)) is True
    assert two.claim("event:Ev1", at=at(1)) is False
    assert one.claim("event:Ev1", at=at(2)) is False
    assert two.claim("event:Ev2", at=at(2)) is True


def test_forgetting_drops_only_old_claims_and_no_other_fact(store: SqlStore) -> None:
    store.set_meta("digest:last_date", "2000-01-01")  # sorts before any stamp: must stay anyway
    store.claim("event:old", at=at(0))
    store.claim("event:new", at=at(60))
    assert store.forget_claims(older_than=at(30)) == 1
    assert store.claim("event:old", at=at(61)) is True  # forgotten, so claimable again
    assert store.claim("event:new", at=at(61)) is False
    assert store.get_meta("digest:last_date") == "2000-01-01"


def test_stamps_sort_as_times_and_lock_keys_are_stable_64_bit_integers() -> None:
    assert stamp(at(0)) < stamp(at(0.001)) < stamp(at(600))
    assert lock_key("revalidate:a") == lock_key("revalidate:a") != lock_key("revalidate:b")
    assert -(2**63) <= lock_key("revalidate:a") < 2**63


def test_serialize_needs_a_transaction(store: SqlStore) -> None:
    with pytest.raises(StoreError, match="needs an open transaction"):
        store.serialize("revalidate:x")


def in_background(work: Callable[[threading.Event], None]) -> tuple[threading.Thread, threading.Event]:
    """Run ``work(locked)`` on a thread; returns it and the event it sets once it holds its lock."""
    locked = threading.Event()
    thread = threading.Thread(target=work, args=(locked,))
    thread.start()
    assert locked.wait(10)
    return thread, locked


def test_transactions_serialised_on_one_name_take_turns_across_replicas(
    open_store: Callable[..., SqlStore],
) -> None:
    """The second replica's check runs only after the first's write committed, so it sees it."""
    one, two = open_store(), open_store()

    def first(locked: threading.Event) -> None:
        with one.transaction():
            one.serialize(f"revalidate:{ARN}")
            locked.set()
            time.sleep(HOLD)
            one.add_audit(at=at(0), user_id="U1", action="revalidate", task_arn=ARN, detail="")

    thread, _ = in_background(first)
    with two.transaction():
        two.serialize(f"revalidate:{ARN}")
        seen = two.recent_audit(task_arn=ARN, actions=("revalidate",), since=at(-2))
    thread.join(10)
    assert [e.user_id for e in seen] == ["U1"]


def test_an_alert_locked_for_update_makes_the_other_replica_read_the_new_state(
    open_store: Callable[..., SqlStore],
) -> None:
    """A sweep saving an alert and an acknowledgement on another replica: neither change is lost."""
    one, two = open_store(), open_store()
    one.save_alert(full_alert(acked_by=None, acked_at=None, summary="before"))

    def sweep(locked: threading.Event) -> None:
        with one.transaction():
            alert = one.get_alert(ARN, for_update=True)
            locked.set()
            time.sleep(HOLD)
            assert alert is not None
            one.save_alert(replace(alert, summary="after the sweep"))

    thread, _ = in_background(sweep)
    with two.transaction():
        alert = two.get_alert(ARN, for_update=True)
        assert alert is not None
        two.save_alert(replace(alert, acked_by="U7", acked_at=at(1)))
    thread.join(10)
    final = one.get_alert(ARN)
    assert final is not None and (final.summary, final.acked_by) == ("after the sweep", "U7")


def test_recent_audit_is_the_tasks_entries_of_those_kinds_after_the_cut_off(store: SqlStore) -> None:
    store.add_audit(at=at(0), user_id="U1", action="revalidate", task_arn=ARN, detail="")
    store.add_audit(at=at(1), user_id="U2", action="revalidate-pending", task_arn=ARN, detail="")
    store.add_audit(at=at(1), user_id="U3", action="acknowledge", task_arn=ARN, detail="")
    store.add_audit(at=at(1), user_id="U4", action="revalidate", task_arn="arn:other", detail="")
    found = store.recent_audit(task_arn=ARN, actions=("revalidate", "revalidate-pending"), since=at(0))
    assert [e.user_id for e in found] == ["U2"]  # at(0) itself is not after the cut-off


def test_an_audit_entry_is_finished_in_place(store: SqlStore) -> None:
    entry = store.add_audit(at=at(0), user_id="U1", action="revalidate-pending", task_arn=ARN, detail="")
    store.update_audit(entry, action="revalidate", detail="1 tables, 1 requests")
    [saved] = store.audit_entries()
    assert (saved.id, saved.action, saved.detail) == (entry, "revalidate", "1 tables, 1 requests")
    with pytest.raises(StoreError, match="does not exist"):
        store.update_audit(entry + 1, action="x", detail="")
