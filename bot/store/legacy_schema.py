"""The hand-made SQLite schema from before Alembic, as an ordered list of steps counted by
``PRAGMA user_version`` (v1 to v5). Kept for two jobs only: bringing a file older than v4 up to v4
before :mod:`bot.store.migrations` adopts it, and building such files in tests. New schema changes
are Alembic revisions, never steps here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.errors import StoreError

Migration = tuple[str, ...]  # statements, run in order inside one transaction

HISTORY: Migration = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        checked_at TEXT NOT NULL,
        status TEXT NOT NULL,
        tasks INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        warning INTEGER NOT NULL,
        failure INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        duration_seconds REAL
    )""",
    "CREATE INDEX sweeps_by_time ON sweeps (checked_at)",
    """CREATE TABLE verdicts (
        sweep_id INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        target TEXT NOT NULL,
        task_arn TEXT,
        task_id TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'warning', 'failure', 'error')),
        status TEXT NOT NULL,
        tables_total INTEGER NOT NULL,
        failed_records INTEGER NOT NULL,
        suspended_records INTEGER NOT NULL,
        pending_records INTEGER NOT NULL,
        problem_tables INTEGER NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (sweep_id, seq)
    )""",
    "CREATE INDEX verdicts_by_task ON verdicts (task_arn, sweep_id)",
)

ALERT_STATE: Migration = (
    """CREATE TABLE alerts (
        task_arn TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        task_id TEXT NOT NULL,
        open INTEGER NOT NULL DEFAULT 0,
        incident INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        problem_tables TEXT NOT NULL DEFAULT '[]',
        opened_at TEXT,
        resolved_at TEXT,
        last_seen_at TEXT,
        last_reminded_at TEXT,
        error_streak INTEGER NOT NULL DEFAULT 0,
        announced INTEGER NOT NULL DEFAULT 0,
        channel TEXT,
        message_ts TEXT,
        acked_by TEXT,
        acked_at TEXT
    )""",
    """CREATE TABLE snoozes (
        task_arn TEXT PRIMARY KEY,
        until TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id TEXT NOT NULL,
        action TEXT NOT NULL,
        task_arn TEXT,
        detail TEXT NOT NULL
    )""",
    "CREATE INDEX audit_by_time ON audit (at)",
    """CREATE TABLE pending_progress (
        task_arn TEXT NOT NULL,
        table_name TEXT NOT NULL,
        pending INTEGER NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (task_arn, table_name)
    )""",
)

OUTBOX: Migration = (
    # AUTOINCREMENT: ids are never reused after a prune, so "ordered by id" stays "ordered by age"
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        destination TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
        last_error TEXT,
        result TEXT,
        done_at TEXT
    )""",
    "CREATE INDEX outbox_pending ON outbox (destination, id) WHERE status = 'pending'",
    "CREATE INDEX outbox_by_time ON outbox (created_at)",
)

LEASES: Migration = (
    # a lease is kept apart from the retry schedule, so a restart can tell "was being sent when the
    # last run died" (send it now) from "waiting for its backoff" (keep waiting)
    "ALTER TABLE outbox ADD COLUMN leased_until TEXT",
)

CDC_LATENCY: Migration = (
    # seconds of CDC lag (CloudWatch CDCLatencySource / CDCLatencyTarget) for the history chart;
    # NULL when no datapoint was read, and for every row written before this step
    "ALTER TABLE verdicts ADD COLUMN cdc_source_seconds REAL",
    "ALTER TABLE verdicts ADD COLUMN cdc_target_seconds REAL",
)

MIGRATIONS: tuple[Migration, ...] = (HISTORY, ALERT_STATE, OUTBOX, LEASES, CDC_LATENCY)


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, *, path: str, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the steps this file has not seen yet; returns the resulting version.

    A file from a newer dms-bot is refused rather than guessed at: its tables may mean something
    this code does not know.
    """
    found = user_version(conn)
    if found > len(steps):
        raise StoreError(
            f"{path} was created by a newer version of dms-bot (schema v{found}, this version "
            f"knows up to v{len(steps)}); upgrade dms-bot or point DMS_BOT_DB at another file."
        )
    for number in range(found + 1, len(steps) + 1):
        _apply(conn, number, steps[number - 1])
    return user_version(conn)


def _apply(conn: sqlite3.Connection, number: int, statements: Migration) -> None:
    """One step in one transaction; re-checks the version so two processes starting together agree."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if user_version(conn) >= number:
            conn.execute("ROLLBACK")
            return
        for sql in statements:
            conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {number:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
