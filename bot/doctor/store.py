"""The store: reachable, writable, and its schema current (or what start-up will migrate).

The database is named as messages name it: the SQLite path, or the URL with its password masked.
Nothing is migrated here: ``serve`` does that at start-up, under its lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.doctor import Check, Status, fail, ok
from bot.errors import StoreError
from bot.store import migrations
from bot.store.sql import SqlStore

NAME = "store"
STALE_OUTBOX = 900  # seconds: the oldest waiting message is worth a warning after this


def check_store(location: str) -> Check:
    """Open without migrating; write one small fact when the schema is current, else only begin."""
    try:
        with SqlStore(location, migrate=False) as store:
            where = f"{store.backend} {store.path}"
            if store.revision != migrations.head():
                return _behind(store, where)
            now = datetime.now(UTC)
            with store.transaction():
                store.set_meta("doctor_checked_at", now.isoformat())
            depth, oldest = store.outbox_stats(now)
    except StoreError as exc:
        return fail(NAME, str(exc))
    waiting = f"{depth} messages waiting" if depth else "outbox empty"
    if oldest is not None and oldest > STALE_OUTBOX:
        return Check(
            NAME,
            Status.WARN,
            f"{where} writable, but {waiting}, the oldest for {oldest / 60:.0f} min",
            "check the Slack and webhook lines above; 'serve' delivers them once those work",
        )
    return ok(NAME, f"{where} writable (schema {store.revision}, current; {waiting})")


def _behind(store: SqlStore, where: str) -> Check:
    """Reachable, but the schema is older (or absent): say what ``serve`` will do about it."""
    with store.transaction():
        pass  # SQLite: takes the write lock, so a read-only file fails here; PostgreSQL: a round trip
    legacy = store.legacy_version
    if store.revision is not None:
        found = f"schema {store.revision}"
    elif legacy:
        found = f"schema v{legacy} from before Alembic (upgraded in place, data kept)"
    else:
        found = "no schema yet"
    return ok(NAME, f"{where} writable ({found}; migrated to {migrations.head()} when 'serve' starts)")
