"""The cutover watches' rows, for SqlStore: at most one active watch per task, on both backends.

Starting a watch is check-then-insert inside one transaction serialised on the task (an advisory
lock on PostgreSQL, the write lock on SQLite); the partial unique index on active rows backs it up.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bot.store import schema as t
from bot.store.base import CutoverWatch
from bot.store.connection import Database

_STATE = ("ready", "checked_at", "changes", "ended_at", "ended")


def _watch(row: Any) -> CutoverWatch:
    return CutoverWatch(
        id=int(row["id"]),
        task_arn=row["task_arn"],
        task_id=row["task_id"],
        channel=row["channel"],
        started_by=row["started_by"],
        started_at=row["started_at"],
        expires_at=row["expires_at"],
        ready=None if row["ready"] is None else bool(row["ready"]),
        checked_at=row["checked_at"],
        changes=int(row["changes"]),
        ended_at=row["ended_at"],
        ended=row["ended"],
    )


class WatchesMixin:
    """``cutover_watches`` for SqlStore (which provides ``serialize``)."""

    _db: Database

    if TYPE_CHECKING:

        def serialize(self, name: str) -> None: ...  # ClaimsMixin's, earlier in SqlStore's bases

    def add_watch(
        self,
        *,
        task_arn: str,
        task_id: str,
        channel: str,
        started_by: str,
        at: datetime,
        expires_at: datetime,
    ) -> tuple[CutoverWatch, bool]:
        """The task's active watch: a new one (True), or the one already running (False)."""
        with self._db.transaction():
            self.serialize(f"cutover_watch:{task_arn}")
            running = self.active_watch(task_arn)
            if running is not None:
                return running, False
            row = {
                "task_arn": task_arn,
                "task_id": task_id,
                "channel": channel,
                "started_by": started_by,
                "started_at": at,
                "expires_at": expires_at,
            }
            insert = sa.insert(t.cutover_watches).values(row).returning(t.cutover_watches.c.id)
            watch_id = int(self._db.write_scalar(insert))
        watch = self.get_watch(watch_id)
        assert watch is not None
        return watch, True

    def get_watch(self, watch_id: int, *, for_update: bool = False) -> CutoverWatch | None:
        """``for_update`` inside a transaction: the row stays locked until it ends."""
        query = sa.select(t.cutover_watches).where(t.cutover_watches.c.id == watch_id)
        rows = self._db.query(query.with_for_update() if for_update else query)
        return _watch(rows[0]) if rows else None

    def active_watches(self) -> list[CutoverWatch]:
        w = t.cutover_watches.c
        rows = self._db.query(sa.select(t.cutover_watches).where(w.ended_at.is_(None)).order_by(w.id))
        return [_watch(row) for row in rows]

    def active_watch(self, task_arn: str) -> CutoverWatch | None:
        w = t.cutover_watches.c
        query = sa.select(t.cutover_watches).where(w.task_arn == task_arn, w.ended_at.is_(None))
        rows = self._db.query(query)
        return _watch(rows[0]) if rows else None

    def save_watch(self, watch: CutoverWatch) -> None:
        values = {name: getattr(watch, name) for name in _STATE}
        statement = sa.update(t.cutover_watches).where(t.cutover_watches.c.id == watch.id).values(values)
        with self._db.transaction():
            self._db.write(statement)
