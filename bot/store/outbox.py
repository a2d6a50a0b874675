"""The delivery outbox: what makes Slack posts and webhook calls safe across restarts.

An item is written (in the same transaction as the state change that causes it) before it is sent
and marked afterwards. Its ``key`` is unique, so re-running a sweep after a crash cannot enqueue the
same notification twice. Delivery is in order per destination: only the oldest pending item of each
destination is ever due, so a message waiting for its retry holds back the ones behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.errors import StoreError
from bot.store import codec
from bot.store import schema as t
from bot.store.base import OutboxItem
from bot.store.connection import Database
from bot.store.dialects import insert

o = t.outbox.c
_PENDING = o.status == "pending"


def _due(now: datetime, limit: int) -> sa.Select[Any]:
    heads = sa.select(sa.func.min(o.id).label("id")).where(_PENDING).group_by(o.destination).subquery()
    free = sa.or_(o.leased_until.is_(None), o.leased_until <= now)
    return (
        sa.select(t.outbox)
        .join(heads, o.id == heads.c.id)
        .where(o.next_attempt_at <= now, free)
        .order_by(o.id)
        .limit(limit)
    )


class OutboxMixin:
    """Outbox methods of :class:`bot.store.sql.SqlStore`."""

    _db: Database
    _clock: Callable[[], datetime]
    transaction: Callable[..., AbstractContextManager[Any]]

    def enqueue(
        self, *, destination: str, kind: str, payload: dict[str, Any], key: str, now: datetime
    ) -> int | None:
        """The new item's id, or None when an item with this key already exists (sent or not)."""
        row = {
            "destination": destination,
            "kind": kind,
            "payload": payload,
            "key": key,
            "created_at": now,
            "next_attempt_at": now,
        }
        statement = (
            insert(self._db.dialect, t.outbox).values(row).on_conflict_do_nothing(index_elements=["key"])
        )
        inserted = self._db.write_scalar(statement.returning(o.id))
        return None if inserted is None else int(inserted)

    def due_items(self, *, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Per destination, its oldest pending item if that one is due; oldest first overall."""
        return [codec.outbox_from(row) for row in self._db.query(_due(now, limit))]

    def get_item(self, item_id: int) -> OutboxItem | None:
        rows = self._db.query(sa.select(t.outbox).where(o.id == item_id))
        return codec.outbox_from(rows[0]) if rows else None

    def find_item(self, key: str) -> OutboxItem | None:
        """The item enqueued with ``key`` (a thread reply finds its alert's post this way)."""
        rows = self._db.query(sa.select(t.outbox).where(o.key == key))
        return codec.outbox_from(rows[0]) if rows else None

    def lease(
        self,
        item_id: int,
        *,
        until: datetime,
        now: datetime | None = None,
        epoch: int | None = None,
        attempt: dict[str, Any] | None = None,
    ) -> bool:
        """Claim a pending item until ``until`` while it is being sent; False when it is not free
        (sent, or held by an unexpired lease). One conditional UPDATE, so two claimers can never
        both hold it; with ``epoch`` (the leader's) a former leader is refused with Fenced in the
        same transaction. A write, so a store that cannot record the outcome fails here (StoreError)
        and nothing is sent. ``attempt`` (a Slack post about to be sent) is kept in ``result`` while
        the item is pending: if the sender dies, the next one knows an attempt's outcome is unknown."""
        moment = now or self._clock()
        free = sa.or_(o.leased_until.is_(None), o.leased_until <= moment)
        values: dict[str, Any] = {"leased_until": until}
        values["leased_epoch"] = None if self._db.dialect == "sqlite" else epoch
        if attempt is not None:
            values["result"] = attempt
        statement = sa.update(t.outbox).where(o.id == item_id, _PENDING, free).values(**values)
        with self.transaction(fence=epoch):
            return bool(self._db.write(statement).rowcount == 1)

    def release_leases(self, *, before_epoch: int | None = None) -> int:
        """Free the items a previous run (or leader) was sending when it died; how many there were.

        Only when this process starts leading: on SQLite the one process that owns the file (see
        :mod:`bot.store.lock`) frees them all; on PostgreSQL the new leader frees those leased by
        older epochs, in a transaction fenced by its own. Such an item may or may not have reached
        its destination, and sending it again is the only way not to lose it."""
        held = sa.and_(_PENDING, o.leased_until.is_not(None))
        if before_epoch is not None:
            held = sa.and_(held, sa.or_(o.leased_epoch.is_(None), o.leased_epoch < before_epoch))
        statement = sa.update(t.outbox).where(held).values(leased_until=None, leased_epoch=None)
        with self.transaction(fence=before_epoch):
            return int(self._db.write(statement).rowcount)

    def mark_sent(self, item_id: int, *, result: dict[str, Any] | None, at: datetime) -> None:
        """Done; ``result`` keeps what the destination answered (Slack's channel and ts)."""
        self._update(item_id, status="sent", leased_until=None, leased_epoch=None, result=result, done_at=at)

    def mark_retry(
        self,
        item_id: int,
        *,
        error: str,
        next_attempt_at: datetime,
        attempt: dict[str, Any] | None = None,
    ) -> None:
        """A failed attempt: count it, remember why, and hold the item (and its destination) until then.
        ``attempt``: a post whose outcome is unknown (kept in ``result``); None: nothing to look for."""
        self._update(
            item_id,
            attempts=o.attempts + 1,
            leased_until=None,
            leased_epoch=None,
            last_error=error,
            next_attempt_at=next_attempt_at,
            result=attempt,
        )

    def mark_dead(self, item_id: int, *, error: str) -> None:
        """Give up on a final failed attempt; the destination's next item becomes eligible."""
        self._update(
            item_id,
            status="dead",
            leased_until=None,
            leased_epoch=None,
            attempts=o.attempts + 1,
            last_error=error,
            done_at=self._clock(),
        )

    def _update(self, item_id: int, **values: Any) -> None:
        statement = sa.update(t.outbox).where(o.id == item_id).values(**values)
        if self._db.write(statement).rowcount != 1:
            raise StoreError(f"Outbox item {item_id} does not exist in {self._db.where.shown}.")

    def outbox_stats(self, now: datetime) -> tuple[int, float | None]:
        """(items pending, age in seconds of the oldest one) — for health checks and logs."""
        [row] = self._db.query(
            sa.select(sa.func.count().label("n"), sa.func.min(o.created_at).label("oldest")).where(_PENDING)
        )
        oldest = row["oldest"]
        return int(row["n"]), None if oldest is None else (now - oldest).total_seconds()
