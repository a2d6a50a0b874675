"""The delivery outbox in SQLite: what makes Slack posts and webhook calls safe across restarts.

An item is written (in the same transaction as the state change that causes it) before it is sent
and marked afterwards. Its ``key`` is unique, so re-running a sweep after a crash cannot enqueue the
same notification twice. Delivery is in order per destination: only the oldest pending item of each
destination is ever due, so a message waiting for its retry holds back the ones behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.errors import StoreError
from bot.store import codec
from bot.store.base import OutboxItem
from bot.store.connection import Database

_DUE = """
    SELECT o.* FROM outbox AS o
    JOIN (SELECT MIN(id) AS id FROM outbox WHERE status = 'pending' GROUP BY destination) AS head
      ON o.id = head.id
    WHERE o.next_attempt_at <= ? AND (o.leased_until IS NULL OR o.leased_until <= ?)
    ORDER BY o.id
    LIMIT ?
"""


class OutboxMixin:
    """Outbox methods of :class:`bot.store.sqlite.SqliteStore`."""

    _db: Database
    _clock: Callable[[], datetime]

    def enqueue(
        self, *, destination: str, kind: str, payload: dict[str, Any], key: str, now: datetime
    ) -> int | None:
        """The new item's id, or None when an item with this key already exists (sent or not)."""
        cursor = self._db.write(
            "INSERT INTO outbox (destination, kind, payload, key, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (destination, kind, codec.dumps(payload), key, codec.when(now), codec.when(now)),
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def due_items(self, *, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Per destination, its oldest pending item if that one is due; oldest first overall."""
        rows = self._db.query(_DUE, (codec.when(now), codec.when(now), limit))
        return [codec.outbox_from(row) for row in rows]

    def get_item(self, item_id: int) -> OutboxItem | None:
        rows = self._db.query("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return codec.outbox_from(rows[0]) if rows else None

    def find_item(self, key: str) -> OutboxItem | None:
        """The item enqueued with ``key`` (a thread reply finds its alert's post this way)."""
        rows = self._db.query("SELECT * FROM outbox WHERE key = ?", (key,))
        return codec.outbox_from(rows[0]) if rows else None

    def lease(self, item_id: int, *, until: datetime) -> None:
        """Hold a pending item (not due) until ``until`` while it is being sent. A write, so it fails
        with StoreError when the store could not record the outcome: then nothing is sent."""
        self._update(item_id, "leased_until = ?", (codec.when(until),))

    def release_leases(self) -> int:
        """Free the items a previous run was sending when it died; how many there were.

        Only for start-up, by the one process that owns the store (see :mod:`bot.store.lock`): such
        an item may or may not have reached its destination, and sending it again is the only way
        not to lose it."""
        cursor = self._db.write(
            "UPDATE outbox SET leased_until = NULL WHERE status = 'pending' AND leased_until IS NOT NULL"
        )
        return cursor.rowcount

    def mark_sent(self, item_id: int, *, result: dict[str, Any] | None, at: datetime) -> None:
        """Done; ``result`` keeps what the destination answered (Slack's channel and ts)."""
        self._update(
            item_id,
            "status = 'sent', leased_until = NULL, result = ?, done_at = ?",
            (None if result is None else codec.dumps(result), codec.when(at)),
        )

    def mark_retry(self, item_id: int, *, error: str, next_attempt_at: datetime) -> None:
        """A failed attempt: count it, remember why, and hold the item (and its destination) until then."""
        self._update(
            item_id,
            "attempts = attempts + 1, leased_until = NULL, last_error = ?, next_attempt_at = ?",
            (error, codec.when(next_attempt_at)),
        )

    def mark_dead(self, item_id: int, *, error: str) -> None:
        """Give up on a final failed attempt; the destination's next item becomes eligible."""
        self._update(
            item_id,
            "status = 'dead', leased_until = NULL, attempts = attempts + 1, last_error = ?, done_at = ?",
            (error, codec.when(self._clock())),
        )

    def _update(self, item_id: int, assignments: str, params: tuple[Any, ...]) -> None:
        cursor = self._db.write(f"UPDATE outbox SET {assignments} WHERE id = ?", (*params, item_id))  # noqa: S608
        if cursor.rowcount != 1:
            raise StoreError(f"Outbox item {item_id} does not exist in {self._db.path}.")

    def outbox_stats(self, now: datetime) -> tuple[int, float | None]:
        """(items pending, age in seconds of the oldest one) — for health checks and logs."""
        [row] = self._db.query("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
        count, oldest = int(row[0]), row[1]
        return count, None if oldest is None else (now - codec.parse(oldest)).total_seconds()
