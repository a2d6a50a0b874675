"""Database errors to :class:`StoreError`: one sentence naming the database and what to do.

Everything above :mod:`bot.store.connection` speaks in transactions and rows, never in sqlite3,
psycopg or SQLAlchemy exceptions, so a locked database or an unreachable server reaches the user as
one clear line; PostgreSQL's are named by their masked URL, so no password is ever in one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.exc as sa_exc

from bot.errors import StoreError
from bot.store.location import SQLITE, Location


def describe_sqlite(exc: sqlite3.Error, path: str) -> str:
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


def describe_postgres(exc: BaseException, shown: str, *, password: str | None = None) -> str:
    """By SQLSTATE class; the server's first line, with the password masked should it appear."""
    state = str(getattr(exc, "sqlstate", None) or "")
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if password:
        first = first.replace(password, "***")
    text = first.lower()  # libpq's connection errors carry no SQLSTATE: their words decide
    if state.startswith("28") or "authentication failed" in text or "no password supplied" in text:
        return (
            f"The bot's database {shown} refused the login ({first}); check the user and password "
            "(in the URL, PGPASSWORD, ~/.pgpass or the DMS_BOT_DB key of the DMS_BOT_SECRET_ID secret)."
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return f"The bot's database {shown} does not exist on that server; create it (CREATE DATABASE)."
    if state == "42501":
        return (
            f"The bot's role may not do this in {shown} ({first}); grant it CONNECT, CREATE and "
            "USAGE on the schema, or run the first start with the database's owner."
        )
    if not state or state.startswith(("08", "57P")):
        return (
            f"Cannot reach the bot's database {shown} ({first}); check that the server is up and "
            "that the host, port and database in DMS_BOT_DB (store.path) are right."
        )
    return f"The bot's database {shown} failed: {first}"


def describe(exc: BaseException, where: Location) -> str:
    if where.backend == SQLITE and isinstance(exc, sqlite3.Error):
        return describe_sqlite(exc, where.shown)
    return describe_postgres(exc, where.shown, password=_password(where))


def _password(where: Location) -> str | None:
    return where.url.password if where.backend != SQLITE else None


@contextmanager
def mapped(where: Location) -> Iterator[None]:
    """Turn database errors raised inside into a StoreError naming ``where``.

    A ValueError from a column's type (a naive datetime) is the caller's bug and stays one."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        raise StoreError(describe(exc.orig or exc, where)) from (exc.orig or exc)
    except sa_exc.StatementError as exc:
        if isinstance(exc.orig, ValueError):
            raise exc.orig from None
        raise StoreError(f"The bot's database {where.shown} failed: {type(exc.orig).__name__}") from exc
    except sa_exc.SQLAlchemyError as exc:
        raise StoreError(f"The bot's database {where.shown} failed: {type(exc).__name__}") from exc
    except sqlite3.Error as exc:  # raised by the raw connection (pragmas at connect)
        raise StoreError(describe(exc, where)) from exc
