"""The SQLite backend of :class:`bot.store.base.Store`: one file (``DMS_BOT_DB``), WAL mode, created
and migrated on open. Every write runs in the caller's transaction when there is one, otherwise in
its own, so a crash (even SIGKILL) leaves either all of a state change and its outbox entries or
none of them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from bot.core.alerts import TaskAlert
from bot.core.models import Report
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.store import codec
from bot.store.base import AuditEntry, PendingProgress
from bot.store.connection import Database
from bot.store.migrations import migrate
from bot.store.sqlite_outbox import OutboxMixin

_VERDICT_INSERT = (
    "INSERT INTO verdicts (sweep_id, seq, checked_at, target, task_arn, task_id, verdict, status, "
    "tables_total, failed_records, suspended_records, pending_records, problem_tables, reasons, "
    "cdc_source_seconds, cdc_target_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# column names come from TaskAlert's fields, never from input
_ALERT_UPSERT = (
    f"INSERT OR REPLACE INTO alerts ({', '.join(codec.ALERT_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(':' + c for c in codec.ALERT_COLUMNS)})"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqliteStore(OutboxMixin):
    """Everything the bot remembers, in one SQLite file shared safely by the bot's threads.

    ``busy_timeout`` is how long (seconds) to wait for another process's lock before failing with
    :class:`StoreError`; ``readonly`` opens the file for reading only (inspection tools).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = 5.0,
        readonly: bool = False,
    ) -> None:
        self._clock = clock or _utcnow
        self._db = Database(path, busy_timeout=busy_timeout, readonly=readonly, configure=self._configure)
        try:
            self.schema_version = self._db.run(lambda conn: migrate(conn, path=self._db.path))
        except BaseException:
            self._db.close()
            raise

    def _configure(self, conn: sqlite3.Connection) -> None:
        """Hook run once on the fresh connection; subclasses (tests) add pragmas here."""

    @property
    def path(self) -> str:
        return self._db.path

    def transaction(self) -> AbstractContextManager[None]:
        return self._db.transaction()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # sweeps and verdicts

    def record_sweep(self, report: Report) -> int:
        """The sweep's summary and one compact row per task (and per task that could not be checked)."""
        with self._db.transaction():
            cursor = self._db.write(
                "INSERT INTO sweeps (checked_at, status, tasks, ok, warning, failure, errors, "
                "duration_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                codec.sweep_params(report),
            )
            sweep_id = cursor.lastrowid
            assert sweep_id is not None
            self._db.write_many(_VERDICT_INSERT, codec.verdict_params(report, sweep_id))
        return sweep_id

    def last_sweep(self) -> SweepRow | None:
        rows = self._db.query("SELECT * FROM sweeps ORDER BY id DESC LIMIT 1")
        return codec.sweep_from(rows[0]) if rows else None

    def latest_verdicts(self) -> list[VerdictRow]:
        """The rows of the most recently recorded sweep, in report order."""
        rows = self._db.query(
            "SELECT * FROM verdicts WHERE sweep_id = (SELECT MAX(id) FROM sweeps) ORDER BY seq"
        )
        return [codec.verdict_from(row) for row in rows]

    def task_history(self, task_arn: str, *, limit: int = 48) -> list[VerdictRow]:
        """The task's last ``limit`` rows, oldest first (the order a chart reads)."""
        rows = self._db.query(
            "SELECT * FROM verdicts WHERE task_arn = ? ORDER BY sweep_id DESC, seq DESC LIMIT ?",
            (task_arn, limit),
        )
        return [codec.verdict_from(row) for row in reversed(rows)]

    def prune(self, *, older_than: datetime) -> int:
        """Forget history, audit entries and finished outbox items older than the cut-off.

        Pending outbox items are never pruned: they still have to be delivered.
        """
        cutoff = codec.when(older_than)
        statements = (
            "DELETE FROM verdicts WHERE sweep_id IN (SELECT id FROM sweeps WHERE checked_at < ?)",
            "DELETE FROM sweeps WHERE checked_at < ?",
            "DELETE FROM audit WHERE at < ?",
            "DELETE FROM outbox WHERE status IN ('sent', 'dead') AND created_at < ?",
        )
        with self._db.transaction():
            return sum(self._db.write(sql, (cutoff,)).rowcount for sql in statements)

    # alert state

    def get_alert(self, task_arn: str) -> TaskAlert | None:
        rows = self._db.query("SELECT * FROM alerts WHERE task_arn = ?", (task_arn,))
        return codec.alert_from(rows[0]) if rows else None

    def save_alert(self, alert: TaskAlert) -> None:
        """Insert or replace the task's one record, every field."""
        self._db.write(_ALERT_UPSERT, codec.alert_params(alert))

    def list_alerts(self, *, open_only: bool = False) -> list[TaskAlert]:
        where = "WHERE open = 1 " if open_only else ""
        rows = self._db.query(f"SELECT * FROM alerts {where}ORDER BY target, task_id, task_arn")  # noqa: S608
        return [codec.alert_from(row) for row in rows]

    # snoozes and the audit log

    def set_snooze(self, task_arn: str, *, until: datetime, by: str, at: datetime) -> None:
        """One snooze per task: a new one replaces the old."""
        self._db.write(
            "INSERT OR REPLACE INTO snoozes (task_arn, until, by, at) VALUES (?, ?, ?, ?)",
            (task_arn, codec.when(until), by, codec.when(at)),
        )

    def clear_snooze(self, task_arn: str) -> None:
        self._db.write("DELETE FROM snoozes WHERE task_arn = ?", (task_arn,))

    def active_snoozes(self, now: datetime) -> dict[str, Snooze]:
        """Snoozes still running at ``now``; expired ones are kept but not returned."""
        rows = self._db.query("SELECT * FROM snoozes WHERE until > ? ORDER BY task_arn", (codec.when(now),))
        return {row["task_arn"]: codec.snooze_from(row) for row in rows}

    def add_audit(
        self, *, at: datetime, user_id: str, action: str, task_arn: str | None, detail: str
    ) -> None:
        self._db.write(
            "INSERT INTO audit (at, user_id, action, task_arn, detail) VALUES (?, ?, ?, ?, ?)",
            (codec.when(at), user_id, action, task_arn, detail),
        )

    def audit_entries(self, *, limit: int = 100) -> list[AuditEntry]:
        """The most recent entries, newest first."""
        rows = self._db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [codec.audit_from(row) for row in rows]

    # stuck-validation tracking

    def pending_progress(self, task_arn: str) -> dict[str, PendingProgress]:
        rows = self._db.query(
            "SELECT * FROM pending_progress WHERE task_arn = ? ORDER BY table_name", (task_arn,)
        )
        return {row["table_name"]: codec.progress_from(row) for row in rows}

    def save_pending_progress(self, task_arn: str, progress: Mapping[str, PendingProgress]) -> None:
        """Replace the task's whole set, so tables no longer pending are forgotten."""
        rows = [(task_arn, name, p.pending, codec.when(p.since)) for name, p in progress.items()]
        with self._db.transaction():
            self._db.write("DELETE FROM pending_progress WHERE task_arn = ?", (task_arn,))
            self._db.write_many(
                "INSERT INTO pending_progress (task_arn, table_name, pending, since) VALUES (?, ?, ?, ?)",
                rows,
            )

    # small key/value facts

    def get_meta(self, key: str) -> str | None:
        rows = self._db.query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
