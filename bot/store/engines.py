"""SQLAlchemy engines for the two backends, with what each needs to behave like the bot expects.

SQLite: one connection shared by the bot's threads (``StaticPool``; :mod:`bot.store.connection`
serialises its use), WAL mode, foreign keys on, and ``BEGIN IMMEDIATE`` for every write transaction,
so a busy file fails at the start of a transaction, not half way. Reads run outside any transaction.
PostgreSQL: psycopg 3 with SQLAlchemy's pool, a liveness ping on checkout (a restarted server costs
one failed call, not a dead pool) and a connect timeout.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from bot.errors import StoreError
from bot.store.location import MEMORY, Location

READ_ONLY = "dms_bot_read"  # execution option: a read outside any transaction (SQLite: no BEGIN)
Configure = Callable[[sqlite3.Connection], None]


def create(where: Location, *, busy_timeout: float, readonly: bool, configure: Configure | None) -> sa.Engine:
    if where.backend == "postgresql":
        return _postgres(where, connect_timeout=busy_timeout)
    return _sqlite(where.target, busy_timeout=busy_timeout, readonly=readonly, configure=configure)


def _postgres(where: Location, *, connect_timeout: float) -> sa.Engine:
    return sa.create_engine(
        where.url,
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=8,
        connect_args={"connect_timeout": max(1, round(connect_timeout)), "application_name": "dms-bot"},
    )


def bounded_postgres(
    where: Location, *, purpose: str, timeout: float, pool_size: int, options: str, **connect_args: Any
) -> sa.Engine:
    """A small engine of its own whose every wait is bounded by ``timeout``: connecting, each
    statement (``options``, PostgreSQL ``-c`` settings) and an unanswered TCP connection. For the
    side jobs a stuck database must not hang: leadership renewals, the shared DMS budget."""
    millis = int(timeout * 1000)
    return sa.create_engine(
        where.url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": max(1, math.ceil(timeout)),
            "application_name": f"dms-bot {purpose}",
            "options": options,
            "tcp_user_timeout": millis,
            **connect_args,
        },
    )


def _sqlite_target(path: str, readonly: bool) -> tuple[str, bool]:
    """What to hand sqlite3.connect, after the checks that give a clear message for a bad path."""
    if "\x00" in path:
        raise StoreError(
            f"The bot's database path {path!r} contains a NUL character; fix DMS_BOT_DB (store.path)."
        )
    if path == MEMORY:
        return path, False
    file = Path(path)
    if not file.parent.is_dir():
        raise StoreError(
            f"The directory for the bot's database {path} does not exist; "
            "create it, or point DMS_BOT_DB (store.path) somewhere that exists."
        )
    return (file.resolve().as_uri() + "?mode=ro", True) if readonly else (path, False)


def _sqlite(path: str, *, busy_timeout: float, readonly: bool, configure: Configure | None) -> sa.Engine:
    target, uri = _sqlite_target(path, readonly)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            target, timeout=busy_timeout, isolation_level=None, check_same_thread=False, uri=uri
        )

    engine = sa.create_engine("sqlite+pysqlite://", creator=connect, poolclass=StaticPool)
    wal = not readonly and path != MEMORY

    @event.listens_for(engine, "connect")
    def on_connect(conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        conn.execute("PRAGMA foreign_keys = ON")
        if wal:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if configure is not None:
            configure(conn)

    @event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        if not conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def read_options(engine: sa.Engine) -> dict[str, Any]:
    """Execution options for a read outside a transaction: no BEGIN at all."""
    if engine.dialect.name == "sqlite":
        return {READ_ONLY: True}
    return {"isolation_level": "AUTOCOMMIT"}
