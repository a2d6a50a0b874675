"""Two replicas starting together on a fresh database: both start, the schema is built once, and
the one that waits does so on the advisory lock, not by failing on half-created tables."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import sqlalchemy as sa

from bot.store.migrations import MIGRATION_LOCK_KEY, head
from bot.store.sql import SqlStore
from tests.unit.store.peek import count, engine_for

STARTER = textwrap.dedent(
    """
    import logging, sys
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from bot.store.sql import SqlStore
    with SqlStore(sys.argv[1]) as store:
        print(store.revision)
    """
)


def test_two_processes_racing_on_a_fresh_database_both_start_and_migrate_once(store_location: str) -> None:
    """Started at the same instant (a rolling deploy, two pods): exit 0 twice, one "migrated" line."""
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, store_location],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in starters]
    assert [p.returncode for p in starters] == [0, 0], outputs
    assert [out.strip() for out, _ in outputs] == [head(), head()]
    migrated = [err for _, err in outputs if "schema migrated from nothing to" in err]
    assert len(migrated) == 1, outputs
    assert count(store_location, "alembic_version") == 1


def test_a_start_waits_while_another_holds_the_migration_lock(store_location: str) -> None:
    """While the lock is held elsewhere nothing is created; once released, the start completes."""
    holder = engine_for(store_location)
    opened: list[SqlStore] = []
    with holder.connect() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
        starting = threading.Thread(target=lambda: opened.append(SqlStore(store_location)))
        starting.start()
        time.sleep(0.5)
        assert starting.is_alive() and count(store_location, "alembic_version") is None
        conn.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
        starting.join(timeout=30)
    holder.dispose()
    assert [s.revision for s in opened] == [head()]
    opened[0].close()


def test_the_lock_is_released_after_migrating(store_location: str) -> None:
    """A pooled connection must not keep the session lock: a second migration can take it at once."""
    with SqlStore(store_location):
        engine = engine_for(store_location)
        with engine.connect() as conn:
            taken = conn.execute(sa.select(sa.func.pg_try_advisory_lock(MIGRATION_LOCK_KEY))).scalar()
        engine.dispose()
    assert taken is True
