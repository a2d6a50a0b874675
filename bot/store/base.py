"""The store's interface, split by concern, and its row types.

Each consumer names the narrowest protocol it uses (the deliverer an :class:`Outbox`, the digest a
:class:`DigestStore`), so a second backend can implement the concerns one by one;
:class:`bot.store.sql.SqlStore` implements them all, on SQLite and PostgreSQL. :class:`Store` is
their union, for the composition root. Methods raise :class:`bot.errors.StoreError` on storage trouble.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.core.alerts import TaskAlert
from bot.core.models import Report
from bot.core.records import Snooze, SweepRow, VerdictRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    user_id: str
    action: str
    task_arn: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class PendingProgress:
    """A table's lowest ValidationPendingRecords seen, and since when it has not gone lower."""

    table: str
    pending: int
    since: datetime


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    destination: str  # "slack:<channel>" or "webhook"
    kind: str
    payload: dict[str, Any]
    key: str  # unique: enqueueing the same key twice is a no-op (and the webhook Idempotency-Key)
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    status: str  # "pending" | "sent" | "dead"
    last_error: str | None
    result: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CutoverWatch:
    """A "tell me when ready" watch on one task's cutover gate (see :mod:`bot.app.cutover_watch`)."""

    id: int
    task_arn: str
    task_id: str
    channel: str
    started_by: str  # the Slack user who asked
    started_at: datetime
    expires_at: datetime
    ready: bool | None = None  # the gate's answer as of ``checked_at``; None: not judged yet
    checked_at: datetime | None = None
    changes: int = 0  # how many times the answer has turned
    ended_at: datetime | None = None
    ended: str | None = None  # why it ended ("expired")


class Transactional(Protocol):
    """One transaction across every concern: a state change and the outbox entries it causes commit
    together, so whoever writes more than one thing at once needs this beside the concerns it uses."""

    def transaction(self, *, fence: int | None = None) -> AbstractContextManager[None]:
        """Atomic and re-entrant; with ``fence`` (a leader's epoch), refused with
        :class:`bot.errors.Fenced` unless that epoch still leads (checked in the same transaction)."""
        ...


class SweepHistory(Protocol):
    """Sweeps and their compact per-task verdicts."""

    def record_sweep(self, report: Report) -> int: ...
    def last_sweep(self) -> SweepRow | None: ...
    def latest_verdicts(self) -> list[VerdictRow]: ...
    def task_history(self, task_arn: str, *, limit: int = 48) -> list[VerdictRow]: ...

    def prune(self, *, older_than: datetime) -> int:
        """Retention for the whole store: history, audit entries and finished outbox items."""
        ...


class AlertBook(Protocol):
    """Each task's alert state, its snooze, and its stuck-validation tracking."""

    def get_alert(self, task_arn: str, *, for_update: bool = False) -> TaskAlert | None:
        """``for_update`` (inside a transaction): lock the row until the transaction ends."""
        ...

    def save_alert(self, alert: TaskAlert) -> None: ...
    def list_alerts(self, *, open_only: bool = False) -> list[TaskAlert]: ...
    def set_snooze(self, task_arn: str, *, until: datetime, by: str, at: datetime) -> None: ...
    def clear_snooze(self, task_arn: str) -> None: ...
    def active_snoozes(self, now: datetime) -> dict[str, Snooze]: ...
    def pending_progress(self, task_arn: str) -> dict[str, PendingProgress]: ...
    def save_pending_progress(self, task_arn: str, progress: Mapping[str, PendingProgress]) -> None: ...


class AuditLog(Protocol):
    """Who did what from Slack (acknowledge, snooze, revalidate)."""

    def add_audit(
        self, *, at: datetime, user_id: str, action: str, task_arn: str | None, detail: str
    ) -> int: ...
    def audit_entries(self, *, limit: int = 100) -> list[AuditEntry]: ...
    def recent_audit(self, *, task_arn: str, actions: Iterable[str], since: datetime) -> list[AuditEntry]: ...
    def update_audit(self, entry_id: int, *, action: str, detail: str) -> None: ...


class Claims(Protocol):
    """Once across every replica: a claimed key, and transactions that take turns by name."""

    def claim(self, key: str, *, at: datetime) -> bool:
        """True for the first claimant of ``key``; False when it was already claimed."""
        ...

    def forget_claims(self, *, older_than: datetime) -> int: ...

    def serialize(self, name: str) -> None:
        """Inside a transaction: wait for any other transaction serialised on ``name``; hold it until
        this one ends."""
        ...


class Outbox(Protocol):
    """What must still be said: Slack posts and webhook calls, written before they are sent."""

    def enqueue(
        self, *, destination: str, kind: str, payload: dict[str, Any], key: str, now: datetime
    ) -> int | None: ...
    def due_items(self, *, now: datetime, limit: int = 50) -> list[OutboxItem]: ...
    def get_item(self, item_id: int) -> OutboxItem | None: ...
    def find_item(self, key: str) -> OutboxItem | None: ...
    def lease(
        self,
        item_id: int,
        *,
        until: datetime,
        now: datetime | None = None,
        epoch: int | None = None,
        attempt: dict[str, Any] | None = None,
    ) -> bool: ...
    def release_leases(self, *, before_epoch: int | None = None) -> int: ...
    def mark_sent(self, item_id: int, *, result: dict[str, Any] | None, at: datetime) -> None: ...
    def mark_retry(
        self,
        item_id: int,
        *,
        error: str,
        next_attempt_at: datetime,
        attempt: dict[str, Any] | None = None,
    ) -> None: ...
    def mark_dead(self, item_id: int, *, error: str) -> None: ...
    def outbox_stats(self, now: datetime) -> tuple[int, float | None]: ...


class Meta(Protocol):
    """Small key/value facts (last digest date, schema notes)."""

    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...


class CutoverWatchBook(Protocol):
    """The cutover watches: at most one active per task, kept after they end."""

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
        ...

    def get_watch(self, watch_id: int, *, for_update: bool = False) -> CutoverWatch | None: ...
    def active_watches(self) -> list[CutoverWatch]: ...
    def active_watch(self, task_arn: str) -> CutoverWatch | None: ...
    def save_watch(self, watch: CutoverWatch) -> None:
        """Write the watch's state (ready, checked_at, changes, ended_at, ended)."""
        ...


class SweepStore(SweepHistory, AlertBook, Outbox, Transactional, Protocol):
    """What deciding after a sweep needs: its record, alert state and messages in one transaction."""


class DigestStore(SweepHistory, AlertBook, Outbox, Meta, Claims, Transactional, Protocol):
    """What the daily digest reads, queues and remembers (the date it was sent)."""


class Store(
    SweepHistory, AlertBook, AuditLog, Outbox, Meta, Claims, CutoverWatchBook, Transactional, Protocol
):
    """Everything the bot remembers: the union of the concerns, for the composition root."""

    def close(self) -> None: ...
