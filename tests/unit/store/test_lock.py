"""One bot per database: the start-up lock beside the SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.store.lock import StoreLock


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    """The message names the database, the pid holding it, and what to do."""
    db = tmp_path / "bot.sqlite3"
    first = StoreLock(db)
    first.acquire()
    try:
        with pytest.raises(StoreError) as caught:
            StoreLock(db).acquire()
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message and str(db) in message and "DMS_BOT_DB" in message
        assert first.held
    finally:
        first.release()
    again = StoreLock(db)
    again.acquire()  # released: free to take
    assert again.held
    again.release()
    assert not again.held


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    """A holder killed outright leaves no stale lock: the kernel drops it with the process."""
    db = tmp_path / "bot.sqlite3"
    code = f"from bot.store.lock import StoreLock; StoreLock({str(db)!r}).acquire(); import os; os._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert (tmp_path / "bot.sqlite3.lock").read_text().strip().isdigit()
    lock = StoreLock(db)
    lock.acquire()
    assert lock.held
    lock.release()


def test_different_databases_do_not_share_a_lock(tmp_path: Path) -> None:
    a, b = StoreLock(tmp_path / "a.sqlite3"), StoreLock(tmp_path / "b.sqlite3")
    a.acquire()
    b.acquire()
    assert a.held and b.held
    a.release()
    b.release()


@pytest.mark.parametrize("path", [":memory:", "/no/such/dir/bot.sqlite3"])
def test_nothing_to_lock_is_left_to_the_store_to_judge(path: str) -> None:
    """An in-memory store shares nothing; a bad path gets the store's own clear error instead."""
    lock = StoreLock(path)
    lock.acquire()
    assert not lock.held


def test_a_lock_file_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    """The lock file cannot be created: StoreError saying what to fix (not an OSError traceback)."""
    (tmp_path / "bot.sqlite3.lock").mkdir()  # EISDIR, even for root (who ignores chmod)
    with pytest.raises(StoreError, match="Cannot create the lock file"):
        StoreLock(tmp_path / "bot.sqlite3").acquire()
