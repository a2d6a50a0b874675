"""The store: reachable, writable, and its schema current (or what start-up will migrate); on
PostgreSQL, also which replica leads (the lease's holder, epoch and age).

The database is named as messages name it: the SQLite path, or the URL with its password masked.
Nothing is migrated here: ``serve`` does that at start-up, under its lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.durations import format_duration
from bot.doctor import Check, Status, fail, ok
from bot.errors import StoreError
from bot.store import migrations
from bot.store.leases import LeaseView, PostgresLease
from bot.store.location import POSTGRESQL, locate
from bot.store.sql import SqlStore

NAME = "store"
LEADERSHIP = "leadership"
LEASE_READ_TIMEOUT = 5.0
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


def check_leadership(location: str) -> list[Check]:
    """PostgreSQL only (SQLite has one process, always the leader): who leads, and since when."""
    try:
        where = locate(location)
    except StoreError:
        return []  # the store line has said what is wrong with it
    if where.backend != POSTGRESQL:
        return []
    lease = PostgresLease(where, holder="doctor", timeout=LEASE_READ_TIMEOUT)
    try:
        view = lease.read()
    except StoreError as exc:
        return [Check(LEADERSHIP, Status.SKIP, f"the lease could not be read: {exc}")]
    finally:
        lease.close()
    return [_leader(view)]


def _leader(view: LeaseView | None) -> Check:
    start = "start 'dms-bot serve' on this database (or check the replicas' logs)"
    if view is None:
        return Check(LEADERSHIP, Status.WARN, "no replica has led yet", start)
    if view.expired:
        gone = format_duration(-view.expires_in)
        detail = f"no leader: the lease of {view.holder} (epoch {view.epoch}) expired {gone} ago"
        return Check(LEADERSHIP, Status.WARN, detail, start)
    return ok(
        LEADERSHIP,
        f"{view.holder} leads (epoch {view.epoch}, for {format_duration(view.leading_for)}; "
        f"renewed {format_duration(view.renewed_ago)} ago, expires in {format_duration(view.expires_in)})",
    )
