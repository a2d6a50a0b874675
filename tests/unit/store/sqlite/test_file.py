"""The SQLite file's settings, and the in-memory store the demo and quick tests use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.migrations import head
from bot.store.sql import SqlStore
from tests.unit.store.test_state import ARN, full_alert


def test_wal_mode_and_foreign_keys_are_on(store: SqlStore, db_path: Path) -> None:
    """The file is in WAL mode (readers never block the writer) with foreign keys enforced."""
    with sqlite3.connect(db_path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.transaction() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_an_in_memory_store_works_for_quick_tests() -> None:
    """``":memory:"`` gives a migrated, throwaway store (no file, no WAL)."""
    with SqlStore(":memory:") as store:
        assert store.revision == head() and store.backend == "sqlite"
        store.save_alert(full_alert())
        assert store.get_alert(ARN) == full_alert()
