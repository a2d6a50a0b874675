"""Versioned schema migrations (Alembic), run programmatically at start-up under a lock.

The revisions live in ``versions/`` beside this file and ship in the package; no ``alembic.ini`` is
needed: :func:`upgrade` builds the config in code and hands Alembic the bot's own connection, inside
one transaction. Two replicas starting together cannot both migrate: on PostgreSQL the upgrade runs
under a session-level ``pg_advisory_lock`` on a dedicated connection; on SQLite inside
``BEGIN IMMEDIATE`` (plus ``serve``'s file lock). SQLite files from before Alembic (``PRAGMA
user_version`` 1 to 5) are adopted in the same transaction, see :mod:`bot.store.migrations.adopt`.

A schema change is a new file in ``versions/`` (copy the newest, bump ``revision`` and
``down_revision``) plus the same change in :mod:`bot.store.schema`; a test compares the two on both
backends, the way ``alembic check`` would. Never edit a released revision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.errors import StoreError
from bot.store.connection import Database
from bot.store.errors import mapped
from bot.store.migrations.adopt import (
    ALEMBIC_ERA,
    adopt_legacy_sqlite,
    check_legacy,
    mark_alembic_era,
    user_version,
)

log = logging.getLogger("bot.store")
HERE = Path(__file__).resolve().parent
# pg_advisory_lock key: "dmsbot" + 1, one lock per database for schema changes only
MIGRATION_LOCK_KEY = 0x646D73626F7401


def alembic_config(conn: sa.Connection | None = None) -> Config:
    """Alembic's config, built in code; ``conn`` is the connection env.py migrates on."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(conn: sa.Connection) -> str | None:
    """The database's revision (None: fresh, or a SQLite file from before Alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def known(revision: str) -> bool:
    return revision in {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_known(revision: str | None, shown: str) -> None:
    if revision is not None and not known(revision):
        raise StoreError(
            f"{shown} was created by a newer version of dms-bot (schema revision {revision}, this "
            f"version knows up to {head()}); upgrade dms-bot or point DMS_BOT_DB elsewhere."
        )


def status(db: Database) -> str | None:
    """The database's revision, read without changing anything (for ``doctor`` and the fast path)."""
    with db.reading() as conn:
        found = current(conn)
        if found is None and db.dialect == "sqlite":
            check_legacy(user_version(conn), db.where.shown)
    check_known(found, db.where.shown)
    return found


def legacy_version(db: Database) -> int:
    """A SQLite file's hand-made schema version (0 when fresh or already under Alembic)."""
    if db.dialect != "sqlite":
        return 0
    with db.reading() as conn:
        found = user_version(conn)
    return 0 if found == ALEMBIC_ERA else found


def upgrade(db: Database) -> str:
    """Bring the schema to the head revision, adopting an old SQLite file first; returns the head."""
    target = head()
    if status(db) == target:
        return target  # the usual start: nothing to lock, and a read-only store stays read-only
    with _locked(db) as conn:
        found = current(conn)  # again, under the lock: another replica may have just migrated
        check_known(found, db.where.shown)
        if found != target:
            _migrate(conn, found, db)
            log.info("store %s: schema migrated from %s to %s", db.where.shown, found or "nothing", target)
    return target


def _migrate(conn: sa.Connection, found: str | None, db: Database) -> None:
    if found is None and db.dialect == "sqlite":
        stamp = lambda revision: command.stamp(alembic_config(conn), revision)  # noqa: E731
        adopt_legacy_sqlite(conn, stamp=stamp, shown=db.where.shown)
    command.upgrade(alembic_config(conn), "head")
    if db.dialect == "sqlite":
        mark_alembic_era(conn)


@contextmanager
def _locked(db: Database) -> Iterator[sa.Connection]:
    """A connection inside a transaction that no other process can be migrating in at the same time."""
    if db.dialect == "sqlite":
        with db.transaction() as conn:  # BEGIN IMMEDIATE: the file's write lock, held to the end
            yield conn
        return
    with mapped(db.where), db.engine.connect() as conn:
        conn.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
        conn.commit()  # the lock is the session's: it outlives this transaction
        try:
            with conn.begin():
                yield conn
        finally:
            _unlock(conn)


def _unlock(conn: sa.Connection) -> None:
    """Release the advisory lock; a connection that cannot is dropped, which releases it too."""
    try:
        if conn.in_transaction():
            conn.rollback()
        conn.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
        conn.commit()
    except sa.exc.DBAPIError:
        conn.invalidate()
