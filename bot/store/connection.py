"""One SQLite connection shared by the bot's few threads, and the edge where sqlite3 errors become
:class:`StoreError`. Everything above this module speaks in transactions and rows, never in
sqlite3 exceptions, so a locked or full database reaches the user as one clear sentence."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import StoreError

MEMORY = ":memory:"
T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]


def describe(exc: sqlite3.Error, path: str) -> str:
    """What went wrong and what to do, chosen by SQLite's primary result code (message as fallback)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    text = str(exc).lower()
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return (
            f"The bot's database {path} is locked by another process; stop the other dms-bot "
            "(or tool) using it, or point DMS_BOT_DB at another file."
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM) or "readonly" in text:
        return (
            f"The bot's database {path} is read-only; make the file and its directory writable "
            "by the bot's user (SQLite also writes -wal and -shm files beside it)."
        )
    if code == sqlite3.SQLITE_FULL or "disk is full" in text:
        return f"The disk holding the bot's database {path} is full; free some space, then restart the bot."
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in text:
        return (
            f"{path} is not a dms-bot database or is corrupted; move it aside and restart "
            "to start with a fresh one."
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return f"Cannot open the bot's database {path}; check that the path exists and is accessible."
    return f"The bot's database {path} failed: {exc}"


class Database:
    """A single ``check_same_thread=False`` connection guarded by an RLock.

    Transactions are re-entrant: the outermost level is ``BEGIN IMMEDIATE`` … ``COMMIT``/``ROLLBACK``
    (taking the write lock up front, so a busy database fails at the start, not half way); inner
    levels are savepoints, so an inner failure the caller catches undoes only its own writes.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = 5.0,
        readonly: bool = False,
        configure: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn: sqlite3.Connection | None = self._open(busy_timeout, readonly, configure)

    def _open(
        self, busy_timeout: float, readonly: bool, configure: Callable[[sqlite3.Connection], None] | None
    ) -> sqlite3.Connection:
        target, uri = self.path, False
        if "\x00" in self.path:
            raise StoreError(
                f"The bot's database path {self.path!r} contains a NUL character; fix DMS_BOT_DB (store.path)."
            )
        if self.path != MEMORY:
            file = Path(self.path)
            if not file.parent.is_dir():
                raise StoreError(
                    f"The directory for the bot's database {self.path} does not exist; "
                    "create it, or point DMS_BOT_DB (store.path) somewhere that exists."
                )
            if readonly:
                target, uri = file.resolve().as_uri() + "?mode=ro", True
        with self._mapped():
            conn = sqlite3.connect(
                target, timeout=busy_timeout, isolation_level=None, check_same_thread=False, uri=uri
            )
            try:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA foreign_keys = ON")
                if not readonly and self.path != MEMORY:
                    conn.execute("PRAGMA journal_mode = WAL").fetchone()
                if configure is not None:
                    configure(conn)
            except BaseException:
                conn.close()
                raise
        return conn

    @contextmanager
    def _mapped(self) -> Iterator[None]:
        """Turn any sqlite3 error raised inside into a StoreError naming this database."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(describe(exc, self.path)) from exc

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The bot's database {self.path} has been closed.")
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Atomic and re-entrant; holds the lock so other threads wait rather than interleave."""
        with self._lock:
            conn = self._connection()
            level = self._depth
            begin = "BEGIN IMMEDIATE" if level == 0 else f"SAVEPOINT sp{level}"
            with self._mapped():
                conn.execute(begin)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                self._undo(conn, level)
                raise
            self._depth -= 1
            self._finish(conn, level)

    def _finish(self, conn: sqlite3.Connection, level: int) -> None:
        """Commit (or release the savepoint); if that fails, nothing of the transaction remains."""
        try:
            conn.execute("COMMIT" if level == 0 else f"RELEASE sp{level}")
        except sqlite3.Error as exc:
            self._undo(conn, level)
            raise StoreError(describe(exc, self.path)) from exc

    def _undo(self, conn: sqlite3.Connection, level: int) -> None:
        """Roll back this level; SQLite may already have done so itself (e.g. after SQLITE_FULL)."""
        with suppress(sqlite3.Error):
            if not conn.in_transaction:
                return
            if level == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO sp{level}")
                conn.execute(f"RELEASE sp{level}")

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Rows of one read, fetched while holding the lock."""
        with self._lock, self._mapped():
            return self._connection().execute(sql, params).fetchall()

    def write(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """One statement, in the caller's transaction or in its own."""
        with self.transaction(), self._mapped():
            return self._connection().execute(sql, params)

    def write_many(self, sql: str, rows: Sequence[Params]) -> int:
        with self.transaction(), self._mapped():
            return self._connection().executemany(sql, rows).rowcount

    def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Give ``fn`` the raw connection (migrations, tests), under the lock and error mapping."""
        with self._lock, self._mapped():
            return fn(self._connection())

    def close(self) -> None:
        """Idempotent; anything uncommitted is rolled back by SQLite."""
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                with self._mapped():
                    conn.close()
