"""What makes a click or a Slack event count once across every replica sharing the store.

Two tools, both atomic in the database rather than in one process's memory:

- :meth:`ClaimsMixin.claim` writes a key into the ``meta`` table; its primary key lets exactly one
  writer in, whichever replica it runs on (a conflicting INSERT means "already claimed"). The value
  is the claim's time, so :meth:`ClaimsMixin.forget_claims` can prune old ones.
- :meth:`ClaimsMixin.serialize` makes transactions about the same thing take turns, so a
  check-then-write (look for a recent audit entry, then write one) cannot interleave with another
  replica's: ``pg_advisory_xact_lock`` on PostgreSQL (released at commit or rollback); on SQLite every
  write transaction already begins with ``BEGIN IMMEDIATE``, which holds the file's write lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.errors import StoreError
from bot.store import codec
from bot.store import schema as t
from bot.store.base import AuditEntry
from bot.store.connection import Database
from bot.store.dialects import insert

CLAIM = "claim:"  # the meta keys that are claims (and so may be pruned)


def stamp(moment: datetime) -> str:
    """Fixed-width UTC text, so comparing two stamps as strings compares the times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` (the same in every replica)."""
    digest = hashlib.blake2b(f"dms-bot:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class ClaimsMixin:
    """Claims, serialised transactions and audit entries updated in place, for SqlStore."""

    _db: Database

    def claim(self, key: str, *, at: datetime) -> bool:
        """True for the first claimant of ``key`` across every replica; False when already claimed."""
        row = {"key": f"{CLAIM}{key}", "value": stamp(at)}
        statement = (
            insert(self._db.dialect, t.meta).values(row).on_conflict_do_nothing(index_elements=["key"])
        )
        return self._db.write_scalar(statement.returning(t.meta.c.key)) is not None

    def forget_claims(self, *, older_than: datetime) -> int:
        """Drop claims made before the cut-off; how many there were."""
        m = t.meta.c
        old = sa.delete(t.meta).where(m.key.startswith(CLAIM, autoescape=True), m.value < stamp(older_than))
        with self._db.transaction():  # rowcount is read before the commit
            return int(self._db.write(old).rowcount)

    def serialize(self, name: str) -> None:
        """Inside a transaction: wait until no other transaction serialised on ``name`` is open, and
        hold ``name`` until this one ends (commit or rollback)."""
        if not self._db.in_transaction():
            raise StoreError("serialize() needs an open transaction to hold its lock in")
        if self._db.dialect != "postgresql":
            return  # SQLite: the transaction's BEGIN IMMEDIATE already holds the write lock
        self._db.write(sa.select(sa.func.pg_advisory_xact_lock(lock_key(name))))

    def recent_audit(self, *, task_arn: str, actions: Iterable[str], since: datetime) -> list[AuditEntry]:
        """The task's audit entries of these kinds written after ``since``, newest first."""
        a = t.audit.c
        rows = self._db.query(
            sa.select(t.audit)
            .where(a.task_arn == task_arn, a.action.in_(list(actions)), a.at > since)
            .order_by(a.id.desc())
        )
        return [codec.audit_from(row) for row in rows]

    def update_audit(self, entry_id: int, *, action: str, detail: str) -> None:
        """Finish an entry written before its outcome was known (a claim, then what happened)."""
        statement = sa.update(t.audit).where(t.audit.c.id == entry_id).values(action=action, detail=detail)
        with self._db.transaction():
            updated = self._db.write(statement).rowcount
        if updated != 1:
            raise StoreError(f"Audit entry {entry_id} does not exist in {self._db.where.shown}.")
