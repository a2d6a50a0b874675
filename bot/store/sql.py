"""The store on SQLAlchemy Core, for SQLite (a file or ``:memory:``) and PostgreSQL alike.

Opening it migrates the schema (:mod:`bot.store.migrations`). Every write runs in the caller's
transaction when there is one, otherwise in its own, so a crash (even SIGKILL) leaves either all of a
state change and its outbox entries or none of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa

from bot.core.alerts import TaskAlert
from bot.core.models import Report
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.errors import Fenced
from bot.store import codec, engines, migrations
from bot.store import schema as t
from bot.store.base import AuditEntry, PendingProgress
from bot.store.claims import ClaimsMixin
from bot.store.connection import Database
from bot.store.dialects import upsert
from bot.store.errors import mapped
from bot.store.leases import epoch_for_fencing
from bot.store.location import SQLITE, locate
from bot.store.outbox import OutboxMixin
from bot.store.watches import WatchesMixin


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqlStore(OutboxMixin, ClaimsMixin, WatchesMixin):
    """Everything the bot remembers, shared safely by the bot's threads.

    ``location`` is a SQLite path (or ``":memory:"``) or a ``postgresql://`` URL. ``busy_timeout``
    is how long (seconds) to wait for another process's SQLite lock, or for a PostgreSQL server to
    answer a connection, before failing with :class:`StoreError`; ``readonly`` opens a SQLite file
    for reading only (inspection tools).
    """

    def __init__(
        self,
        location: str | Path,
        *,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = 5.0,
        readonly: bool = False,
        migrate: bool = True,
    ) -> None:
        self._clock = clock or _utcnow
        self.where = locate(location)
        with mapped(self.where):
            engine = engines.create(
                self.where, busy_timeout=busy_timeout, readonly=readonly, configure=self._configure
            )
        self._db = Database(engine, self.where)
        try:
            # the schema's Alembic revision; without ``migrate`` (doctor) None is "not created yet"
            self.revision = migrations.upgrade(self._db) if migrate else migrations.status(self._db)
        except BaseException:
            self._db.close()
            raise

    def _configure(self, conn: sqlite3.Connection) -> None:
        """Hook run once on a fresh SQLite connection; subclasses (tests) add pragmas here."""

    @property
    def path(self) -> str:
        """The database as messages show it: the SQLite path, or the URL with its password masked."""
        return self.where.shown

    @property
    def database(self) -> Database:
        """Its engine and transactions, for code that adds tables of its own (leadership, later)."""
        return self._db

    @property
    def legacy_version(self) -> int:
        """A SQLite file's hand-made schema version from before Alembic (0: none)."""
        return migrations.legacy_version(self._db)

    @property
    def backend(self) -> str:
        return self.where.backend

    def transaction(self, *, fence: int | None = None) -> AbstractContextManager[Any]:
        """Atomic and re-entrant. With ``fence`` (a leader's epoch) it first checks, in the same
        transaction, that this epoch still leads, or raises :class:`Fenced` having written nothing;
        the check's share lock makes a takeover wait for this transaction's end. SQLite has one
        process, always the leader: nothing to check."""
        if fence is None or self.backend == SQLITE:
            return self._db.transaction()
        return self._fenced(fence)

    @contextmanager
    def _fenced(self, epoch: int) -> Iterator[Any]:
        with self._db.transaction() as conn:
            current = self._db.scalar(epoch_for_fencing())
            if current != epoch:
                leader = "no leader" if current is None else f"epoch {current} leads"
                raise Fenced(f"refused: this replica's leader epoch {epoch} is over ({leader})")
            yield conn

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # sweeps and verdicts

    def record_sweep(self, report: Report) -> int:
        """The sweep's summary and one compact row per task (and per task that could not be checked)."""
        with self._db.transaction():
            insert = sa.insert(t.sweeps).values(codec.sweep_params(report)).returning(t.sweeps.c.id)
            sweep_id = int(self._db.write_scalar(insert))
            self._db.write_many(sa.insert(t.verdicts), codec.verdict_params(report, sweep_id))
        return sweep_id

    def last_sweep(self) -> SweepRow | None:
        rows = self._db.query(sa.select(t.sweeps).order_by(t.sweeps.c.id.desc()).limit(1))
        return codec.sweep_from(rows[0]) if rows else None

    def latest_verdicts(self) -> list[VerdictRow]:
        """The rows of the most recently recorded sweep, in report order."""
        latest = sa.select(sa.func.max(t.sweeps.c.id)).scalar_subquery()
        rows = self._db.query(
            sa.select(t.verdicts).where(t.verdicts.c.sweep_id == latest).order_by(t.verdicts.c.seq)
        )
        return [codec.verdict_from(row) for row in rows]

    def task_history(self, task_arn: str, *, limit: int = 48) -> list[VerdictRow]:
        """The task's last ``limit`` rows, oldest first (the order a chart reads)."""
        v = t.verdicts.c
        rows = self._db.query(
            sa.select(t.verdicts)
            .where(v.task_arn == task_arn)
            .order_by(v.sweep_id.desc(), v.seq.desc())
            .limit(limit)
        )
        return [codec.verdict_from(row) for row in reversed(rows)]

    def prune(self, *, older_than: datetime) -> int:
        """Forget history, audit entries and finished outbox items older than the cut-off.

        Pending outbox items are never pruned: they still have to be delivered.
        """
        old_sweeps = sa.select(t.sweeps.c.id).where(t.sweeps.c.checked_at < older_than)
        statements = (
            sa.delete(t.verdicts).where(t.verdicts.c.sweep_id.in_(old_sweeps)),
            sa.delete(t.sweeps).where(t.sweeps.c.checked_at < older_than),
            sa.delete(t.audit).where(t.audit.c.at < older_than),
            sa.delete(t.outbox).where(
                t.outbox.c.status.in_(("sent", "dead")), t.outbox.c.created_at < older_than
            ),
        )
        with self._db.transaction():
            return sum(self._db.write(statement).rowcount for statement in statements)

    # alert state

    def get_alert(self, task_arn: str, *, for_update: bool = False) -> TaskAlert | None:
        """``for_update`` inside a transaction: the row stays locked until it ends (PostgreSQL's
        ``SELECT … FOR UPDATE``; SQLite's write transaction already excludes every other writer), so
        a read-modify-write by another replica waits rather than overwriting this one's change."""
        query = sa.select(t.alerts).where(t.alerts.c.task_arn == task_arn)
        rows = self._db.query(query.with_for_update() if for_update else query)
        return codec.alert_from(rows[0]) if rows else None

    def save_alert(self, alert: TaskAlert) -> None:
        """Insert or replace the task's one record, every field."""
        self._db.write(upsert(self._db.dialect, t.alerts, codec.alert_params(alert)))

    def list_alerts(self, *, open_only: bool = False) -> list[TaskAlert]:
        a = t.alerts.c
        query = sa.select(t.alerts).order_by(a.target, a.task_id, a.task_arn)
        rows = self._db.query(query.where(a.open.is_(True)) if open_only else query)
        return [codec.alert_from(row) for row in rows]

    # snoozes and the audit log

    def set_snooze(self, task_arn: str, *, until: datetime, by: str, at: datetime) -> None:
        """One snooze per task: a new one replaces the old."""
        row = {"task_arn": task_arn, "until": until, "by": by, "at": at}
        self._db.write(upsert(self._db.dialect, t.snoozes, row))

    def clear_snooze(self, task_arn: str) -> None:
        self._db.write(sa.delete(t.snoozes).where(t.snoozes.c.task_arn == task_arn))

    def active_snoozes(self, now: datetime) -> dict[str, Snooze]:
        """Snoozes still running at ``now``; expired ones are kept but not returned."""
        s = t.snoozes.c
        rows = self._db.query(sa.select(t.snoozes).where(s.until > now).order_by(s.task_arn))
        return {row["task_arn"]: codec.snooze_from(row) for row in rows}

    def add_audit(self, *, at: datetime, user_id: str, action: str, task_arn: str | None, detail: str) -> int:
        """The new entry's id."""
        row = {"at": at, "user_id": user_id, "action": action, "task_arn": task_arn, "detail": detail}
        return int(self._db.write_scalar(sa.insert(t.audit).values(row).returning(t.audit.c.id)))

    def audit_entries(self, *, limit: int = 100) -> list[AuditEntry]:
        """The most recent entries, newest first."""
        rows = self._db.query(sa.select(t.audit).order_by(t.audit.c.id.desc()).limit(limit))
        return [codec.audit_from(row) for row in rows]

    # stuck-validation tracking

    def pending_progress(self, task_arn: str) -> dict[str, PendingProgress]:
        p = t.pending_progress.c
        rows = self._db.query(
            sa.select(t.pending_progress).where(p.task_arn == task_arn).order_by(p.table_name)
        )
        return {row["table_name"]: codec.progress_from(row) for row in rows}

    def save_pending_progress(self, task_arn: str, progress: Mapping[str, PendingProgress]) -> None:
        """Replace the task's whole set, so tables no longer pending are forgotten."""
        rows = [
            {"task_arn": task_arn, "table_name": name, "pending": p.pending, "since": p.since}
            for name, p in progress.items()
        ]
        with self._db.transaction():
            self._db.write(sa.delete(t.pending_progress).where(t.pending_progress.c.task_arn == task_arn))
            self._db.write_many(sa.insert(t.pending_progress), rows)

    # small key/value facts

    def get_meta(self, key: str) -> str | None:
        value = self._db.scalar(sa.select(t.meta.c.value).where(t.meta.c.key == key))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self._db.write(upsert(self._db.dialect, t.meta, {"key": key, "value": value}))
