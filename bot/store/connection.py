"""Transactions and statements over an engine, shared safely by the bot's threads.

A thread's outermost :meth:`Database.transaction` takes a connection and begins; the levels inside
it are savepoints, so an inner failure the caller catches undoes only its own writes. SQLite has one
connection, so its transactions take an RLock (other threads wait rather than interleave);
PostgreSQL gives each thread a pooled connection of its own. Every error leaves as a StoreError.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, RowMapping
from sqlalchemy.sql import Executable

from bot.errors import StoreError
from bot.store.engines import read_options
from bot.store.errors import mapped
from bot.store.location import SQLITE, Location


class Database:
    def __init__(self, engine: sa.Engine, where: Location) -> None:
        self.engine = engine
        self.where = where
        self._serial: threading.RLock | None = threading.RLock() if where.backend == SQLITE else None
        self._local = threading.local()
        self._closed = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _exclusive(self) -> AbstractContextManager[Any]:
        return self._serial if self._serial is not None else nullcontext()

    def _current(self) -> sa.Connection | None:
        conn: sa.Connection | None = getattr(self._local, "conn", None)
        return conn

    def in_transaction(self) -> bool:
        """Whether this thread is inside :meth:`transaction`."""
        return self._current() is not None

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"The bot's database {self.where.shown} has been closed.")

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """Atomic and re-entrant: the outermost level commits, inner levels are savepoints."""
        conn = self._current()
        if conn is not None:
            with mapped(self.where):
                savepoint = conn.begin_nested()
            with savepoint, mapped(self.where):
                yield conn
            return
        with self._exclusive():
            self._check_open()
            with mapped(self.where), self.engine.connect() as conn, conn.begin():
                self._local.conn = conn
                try:
                    yield conn
                finally:
                    self._local.conn = None

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """The thread's transaction's connection, or one for a read outside any transaction."""
        conn = self._current()
        if conn is not None:
            yield conn
            return
        with self._exclusive():
            self._check_open()
            with mapped(self.where), self.engine.connect() as fresh:
                yield fresh.execution_options(**read_options(self.engine))

    def query(self, statement: Executable) -> list[RowMapping]:
        """Rows of one read, as mappings by column name."""
        with self.reading() as conn, mapped(self.where):
            return list(conn.execute(statement).mappings())

    def scalar(self, statement: Executable) -> Any:
        with self.reading() as conn, mapped(self.where):
            return conn.execute(statement).scalar()

    def write(self, statement: Executable, params: dict[str, Any] | None = None) -> CursorResult[Any]:
        """One statement, in the thread's transaction or in its own (one statement needs no savepoint)."""
        conn = self._current()
        if conn is not None:
            with mapped(self.where):
                return conn.execute(statement, params)
        with self.transaction() as own, mapped(self.where):
            return own.execute(statement, params)

    def write_scalar(self, statement: Executable) -> Any:
        """One statement whose first value it returns (``INSERT … RETURNING id``), read before commit."""
        with self.transaction() as conn, mapped(self.where):
            return conn.execute(statement).scalar()

    def write_many(self, statement: Executable, rows: Sequence[dict[str, Any]]) -> None:
        """executemany: one round trip (SQLite) or a few batched INSERTs (psycopg)."""
        if rows:
            self.write(statement, list(rows))  # type: ignore[arg-type]

    def close(self) -> None:
        """Idempotent; anything uncommitted is rolled back."""
        with self._exclusive():
            if not self._closed:
                self._closed = True
                with mapped(self.where):
                    self.engine.dispose()
