"""Versioned schema migrations: fresh files, older files, interrupted steps, newer files."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

import pytest

from bot.core.alerts import TaskAlert
from bot.core.models import CdcLatency
from bot.errors import StoreError
from bot.store.migrations import ALERT_STATE, HISTORY, MIGRATIONS, migrate, user_version
from bot.store.sqlite import SqliteStore
from tests.unit.store.conftest import T0, at, report, task_verdict
from tests.unit.store.sqlite.test_state import ARN, full_alert

LATEST = len(MIGRATIONS)
TASK_A = "arn:aws:dms:eu-west-1:123456789012:task:a"


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_empty_v0_file_is_migrated_to_the_latest(
    db_path: Path, open_store: Callable[..., SqliteStore]
) -> None:
    """A database file at user_version 0 gets every table and the latest version."""
    with sqlite3.connect(db_path) as conn:
        assert user_version(conn) == 0
    store = open_store()
    assert store.schema_version == LATEST
    expected = {"meta", "sweeps", "verdicts", "alerts", "snoozes", "audit", "pending_progress", "outbox"}
    assert expected <= tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert user_version(conn) == LATEST


def test_an_intermediate_version_is_upgraded_keeping_its_data(
    db_path: Path, open_store: Callable[..., SqliteStore]
) -> None:
    """A v1 file (history only) keeps its sweeps and gains alert state and the outbox."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, path=str(db_path), steps=(HISTORY,)) == 1
    conn.execute(
        "INSERT INTO sweeps (checked_at, status, tasks, ok, warning, failure, errors) "
        "VALUES (?, 'success', 1, 1, 0, 0, 0)",
        (T0.isoformat(timespec="microseconds"),),
    )
    conn.close()
    assert "outbox" not in tables(db_path)

    store = open_store()
    assert store.schema_version == LATEST
    last = store.last_sweep()
    assert last is not None and (last.checked_at, last.status) == (T0, "success")
    store.save_alert(full_alert())
    assert store.get_alert(ARN) == full_alert()
    assert store.enqueue(destination="webhook", kind="report", payload={}, key="k", now=at(0)) == 1


def test_a_failing_step_leaves_the_previous_version_intact(db_path: Path) -> None:
    """Each step is its own transaction: a broken step changes nothing and the version stays put."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    broken = ("CREATE TABLE half_done (a INTEGER)", "THIS IS NOT SQL")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, path=str(db_path), steps=(HISTORY, broken))
    assert user_version(conn) == 1
    assert "half_done" not in tables(db_path)
    assert migrate(conn, path=str(db_path), steps=(HISTORY, ALERT_STATE)) == 2  # resumes at step 2
    conn.close()


def test_a_newer_database_is_refused_untouched(db_path: Path) -> None:
    """A file from a newer dms-bot raises a StoreError that says so, and is not modified."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StoreError, match=r"created by a newer version of dms-bot"):
        SqliteStore(db_path)
    assert tables(db_path) == set()
    with sqlite3.connect(db_path) as conn:
        assert user_version(conn) == LATEST + 1


def test_reopening_at_the_latest_version_changes_nothing(
    db_path: Path, open_store: Callable[..., SqliteStore]
) -> None:
    """Migrations are applied once; a second start finds nothing to do."""
    open_store().close()
    assert open_store().schema_version == LATEST


def test_alerts_table_has_a_column_for_every_taskalert_field(store: SqliteStore, db_path: Path) -> None:
    """Adding a TaskAlert field without a migration fails here, not in production."""
    with sqlite3.connect(db_path) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(alerts)")}
    assert columns == {f.name for f in fields(TaskAlert)}


def test_a_v3_outbox_gains_leases_and_its_queue_is_still_delivered(
    db_path: Path, open_store: Callable[..., SqliteStore]
) -> None:
    """Upgrading a bot with messages still queued: they stay pending, due and unleased."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, path=str(db_path), steps=MIGRATIONS[:3]) == 3
    conn.execute(
        "INSERT INTO outbox (destination, kind, payload, key, created_at, next_attempt_at) "
        "VALUES ('slack:C1', 'post', '{}', 'queued', ?, ?)",
        (T0.isoformat(timespec="microseconds"), T0.isoformat(timespec="microseconds")),
    )
    conn.close()
    store = open_store()
    assert store.schema_version == LATEST
    assert [i.key for i in store.due_items(now=at(0))] == ["queued"]
    assert store.release_leases() == 0


def test_a_v4_history_gains_cdc_latency_columns_and_keeps_its_rows(
    db_path: Path, open_store: Callable[..., SqliteStore]
) -> None:
    """Rows recorded before CDC latency was kept read back with no lag; new sweeps store it."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, path=str(db_path), steps=MIGRATIONS[:4]) == 4
    conn.execute(
        "INSERT INTO sweeps (checked_at, status, tasks, ok, warning, failure, errors) "
        "VALUES (?, 'failure', 1, 0, 0, 1, 0)",
        (T0.isoformat(timespec="microseconds"),),
    )
    conn.execute(
        "INSERT INTO verdicts (sweep_id, seq, checked_at, target, task_arn, task_id, verdict, status, "
        "tables_total, failed_records, suspended_records, pending_records, problem_tables, reasons) "
        "VALUES (1, 0, ?, 'prod', ?, 'a', 'failure', 'running', 3, 7, 0, 2, 1, '[\"old\"]')",
        (T0.isoformat(timespec="microseconds"), TASK_A),
    )
    conn.close()
    store = open_store()
    assert store.schema_version == LATEST == 5
    [old] = store.task_history(TASK_A)
    assert (old.failed_records, old.reasons, old.cdc_source_seconds, old.cdc_target_seconds) == (
        7,
        ("old",),
        None,
        None,
    )
    lagging = replace(task_verdict("a", checked_at=at(15)), cdc_latency=CdcLatency(3.0, 4320.5))
    store.record_sweep(report(lagging, checked_at=at(15)))
    assert [(r.cdc_source_seconds, r.cdc_target_seconds) for r in store.task_history(TASK_A)] == [
        (None, None),
        (3.0, 4320.5),
    ]
