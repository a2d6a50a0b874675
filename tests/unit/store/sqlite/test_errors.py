"""Storage trouble reaches callers as a StoreError naming the file and what to do, never sqlite3's."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at


class TinyDiskStore(SqlStore):
    """A store whose "disk" holds 64 pages, to provoke SQLITE_FULL without filling a real disk."""

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA max_page_count = 64")


def test_a_locked_database_is_a_store_error(store: SqlStore, db_path: Path) -> None:
    """Another connection holding BEGIN EXCLUSIVE makes writes fail after busy_timeout, clearly."""
    store.close()
    store = SqlStore(db_path, busy_timeout=0.2)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another process") as caught:
            store.set_meta("k", "v")
        assert str(db_path) in str(caught.value)
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.set_meta("k", "v")  # usable again once the lock is gone
    assert store.get_meta("k") == "v"
    store.close()


def test_opening_a_database_locked_during_creation_is_a_store_error(db_path: Path) -> None:
    """Starting while another process holds an exclusive lock fails with StoreError, not sqlite3's."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            SqlStore(db_path, busy_timeout=0.2)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_readonly_store_reads_but_refuses_writes(db_path: Path, open_store: Callable[..., SqlStore]) -> None:
    """A read-only store (mode=ro) reads fine; a write raises StoreError saying it is read-only."""
    writer = open_store()
    writer.set_meta("k", "v")
    writer.close()
    reader = open_store(readonly=True)
    assert reader.get_meta("k") == "v"
    with pytest.raises(StoreError, match=r"read-only.*writable") as caught:
        reader.set_meta("k", "w")
    assert str(db_path) in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write a 0o444 file")
def test_a_file_without_write_permission_is_a_store_error(
    db_path: Path, open_store: Callable[..., SqlStore]
) -> None:
    """chmod 0o444 on the file: the first write fails with a StoreError naming the file."""
    open_store().close()
    db_path.chmod(0o444)
    try:
        with pytest.raises(StoreError, match=re.escape(str(db_path))):
            open_store().set_meta("k", "v")
    finally:
        db_path.chmod(0o644)


def test_a_file_that_is_not_a_database_is_a_store_error(db_path: Path) -> None:
    """Garbage in the file: StoreError saying to move it aside."""
    db_path.write_bytes(b"this is not an SQLite file, just some text " * 100)
    with pytest.raises(StoreError, match=r"not a dms-bot database.*move it aside"):
        SqlStore(db_path)


def test_a_full_disk_is_a_store_error_and_rolls_back(tmp_path: Path) -> None:
    """SQLITE_FULL maps to StoreError; the failed transaction leaves nothing and the store still works."""
    store = TinyDiskStore(tmp_path / "tiny.db")
    try:
        with pytest.raises(StoreError, match="is full") as caught, store.transaction():
            store.set_meta("before", "1")
            store.enqueue(
                destination="webhook", kind="report", payload={"x": "y" * 1_000_000}, key="k", now=at(0)
            )
        assert str(tmp_path / "tiny.db") in str(caught.value)
        assert store.get_meta("before") is None
        store.set_meta("after", "1")
        assert store.get_meta("after") == "1"
    finally:
        store.close()


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    """The parent directory is not created silently: the message says to create it."""
    with pytest.raises(StoreError, match="does not exist; create it"):
        SqlStore(tmp_path / "nope" / "bot.db")


def test_a_closed_store_is_a_store_error(store: SqlStore) -> None:
    """Using a store after close() fails clearly."""
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.last_sweep()
