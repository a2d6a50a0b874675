"""Transactions, restart safety and concurrent threads, on both backends."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

from bot.errors import StoreError
from bot.store.migrations import head
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at, report, task_verdict
from tests.unit.store.peek import count
from tests.unit.store.test_state import ARN, full_alert


class Boom(Exception):
    pass


def test_created_on_first_start(open_store: Callable[..., SqlStore], store_location: str) -> None:
    """Opening an empty database (or a path that does not exist) creates the latest schema."""
    assert count(store_location, "alembic_version") is None
    store = open_store()
    assert store.revision == head() and count(store_location, "alembic_version") == 1


def test_exception_in_transaction_leaves_no_partial_state(store: SqlStore) -> None:
    """An alert saved and an item enqueued in a transaction that raises are both gone."""
    with pytest.raises(Boom), store.transaction():
        store.save_alert(full_alert())
        store.enqueue(destination="slack:C1", kind="post", payload={}, key="k", now=at(0))
        raise Boom
    assert store.get_alert(ARN) is None
    assert store.outbox_stats(at(0)) == (0, None)


def test_transaction_commits_everything_together(store: SqlStore, store_location: str) -> None:
    """Nothing is visible to another connection until the outermost level commits."""
    with store.transaction():
        store.save_alert(full_alert())
        store.enqueue(destination="slack:C1", kind="post", payload={}, key="k", now=at(0))
        assert count(store_location, "alerts") == 0
    assert count(store_location, "outbox") == 1


def test_transactions_are_reentrant(store: SqlStore) -> None:
    """Nested levels join the outer one; an outer failure undoes the inner levels' writes too."""
    with pytest.raises(Boom), store.transaction():
        with store.transaction():
            store.set_meta("inner", "1")
            with store.transaction():
                store.record_sweep(report(task_verdict("a")))
        assert store.get_meta("inner") == "1"
        raise Boom
    assert store.get_meta("inner") is None
    assert store.last_sweep() is None


def test_a_caught_inner_failure_undoes_only_the_inner_level(store: SqlStore) -> None:
    """Inner levels are savepoints: the outer transaction keeps its own writes and commits."""
    with store.transaction():
        store.set_meta("outer", "1")
        with pytest.raises(Boom), store.transaction():
            store.set_meta("inner", "1")
            raise Boom
        store.set_meta("after", "1")
    assert [store.get_meta(k) for k in ("outer", "inner", "after")] == ["1", None, "1"]


def test_state_survives_close_and_reopen(open_store: Callable[..., SqlStore]) -> None:
    """Everything committed is there after a restart, and pending items are still due."""
    store = open_store()
    with store.transaction():
        store.record_sweep(report(task_verdict("a")))
        store.save_alert(full_alert())
        item_id = store.enqueue(destination="slack:C1", kind="post", payload={"n": 1}, key="k", now=at(0))
    store.close()
    store.close()  # idempotent

    again = open_store()
    assert again.get_alert(ARN) == full_alert()
    assert [v.task_id for v in again.latest_verdicts()] == ["a"]
    assert [i.id for i in again.due_items(now=at(0))] == [item_id]
    assert again.enqueue(destination="slack:C1", kind="post", payload={}, key="k", now=at(1)) is None


def test_uncommitted_work_is_lost_on_sigkill(
    store_location: str, open_store: Callable[..., SqlStore]
) -> None:
    """A process killed inside a transaction leaves nothing of it; what it committed before stays."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from bot.core.alerts import TaskAlert
        from bot.store.sql import SqlStore
        store = SqlStore({store_location!r})
        store.set_meta("committed", "yes")
        with store.transaction():
            store.save_alert(TaskAlert(task_arn={ARN!r}, target="prod", task_id="a"))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=30)
    assert done.returncode == -signal.SIGKILL
    again = open_store()
    assert again.get_meta("committed") == "yes"
    assert again.get_alert(ARN) is None


def test_context_manager_closes(store_location: str) -> None:
    """``with SqlStore(...)`` closes the store on the way out; using it afterwards is a StoreError."""
    with SqlStore(store_location) as store:
        store.set_meta("k", "v")
    with pytest.raises(StoreError, match="closed"):
        store.get_meta("k")
