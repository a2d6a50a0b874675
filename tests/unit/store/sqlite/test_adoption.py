"""SQLite files from before Alembic (hand-made schema, ``PRAGMA user_version`` 1 to 5) are adopted
in place: their data stays, the matching revision is stamped, the rest is migrated by Alembic."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.models import CdcLatency
from bot.errors import StoreError
from bot.store.legacy_schema import HISTORY, MIGRATIONS, migrate, user_version
from bot.store.migrations import head
from bot.store.migrations.adopt import ALEMBIC_ERA
from bot.store.sql import SqlStore
from tests.unit.store.conftest import T0, at, report, task_verdict
from tests.unit.store.test_state import ARN, full_alert

TASK_A = "arn:aws:dms:eu-west-1:123456789012:task:a"
WHEN = T0.isoformat(timespec="microseconds")


def legacy_file(path: Path, version: int) -> sqlite3.Connection:
    """A file built by the hand-made migrations up to ``version``, as an older dms-bot left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, path=str(path), steps=MIGRATIONS[:version]) == version
    return conn


def alembic_state(path: Path) -> tuple[int, list[str]]:
    with sqlite3.connect(path) as conn:
        return user_version(conn), [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]


def add_open_alert_and_queued_item(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO alerts (task_arn, target, task_id, open, incident, kind, summary, problem_tables, "
        "opened_at, last_seen_at, announced, channel, message_ts) "
        "VALUES (?, 'prod', 'a', 1, 3, 'failure', 's', '[\"s.orders\"]', ?, ?, 1, 'C1', '1700000000.000100')",
        (ARN, WHEN, WHEN),
    )
    conn.execute(
        "INSERT INTO outbox (destination, kind, payload, key, created_at, next_attempt_at) "
        "VALUES ('slack:C1', 'post', '{\"text\":\"queued\"}', 'queued', ?, ?)",
        (WHEN, WHEN),
    )


def add_old_verdict(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO sweeps (checked_at, status, tasks, ok, warning, failure, errors) "
        "VALUES (?, 'failure', 1, 0, 0, 1, 0)",
        (WHEN,),
    )
    conn.execute(
        "INSERT INTO verdicts (sweep_id, seq, checked_at, target, task_arn, task_id, verdict, status, "
        "tables_total, failed_records, suspended_records, pending_records, problem_tables, reasons) "
        "VALUES (1, 0, ?, 'prod', ?, 'a', 'failure', 'running', 3, 7, 0, 2, 1, '[\"old\"]')",
        (WHEN, TASK_A),
    )


def test_a_v4_file_keeps_its_open_alert_and_queued_item(
    db_path: Path, open_store: Callable[..., SqlStore]
) -> None:
    """The acceptance case: v4 with an open incident and a message waiting; nothing lost or re-sent."""
    conn = legacy_file(db_path, 4)
    add_open_alert_and_queued_item(conn)
    add_old_verdict(conn)
    conn.close()
    store = open_store()
    assert store.revision == head() and alembic_state(db_path) == (ALEMBIC_ERA, [head()])
    alert = store.get_alert(ARN)
    assert (
        alert is not None and alert.open and alert.incident == 3 and alert.message_ts == "1700000000.000100"
    )
    assert (alert.opened_at, alert.problem_tables) == (T0, ("s.orders",))
    [item] = store.due_items(now=at(0))
    assert (item.key, item.status, item.payload, item.created_at) == (
        "queued",
        "pending",
        {"text": "queued"},
        T0,
    )
    assert store.enqueue(destination="slack:C1", kind="post", payload={}, key="queued", now=at(1)) is None
    [old] = store.task_history(TASK_A)
    assert (old.failed_records, old.reasons, old.cdc_source_seconds) == (7, ("old",), None)
    lagging = replace(task_verdict("a", checked_at=at(15)), cdc_latency=CdcLatency(3.0, 4320.5))
    store.record_sweep(report(lagging, checked_at=at(15)))
    assert [r.cdc_target_seconds for r in store.task_history(TASK_A)] == [None, 4320.5]


def test_a_v5_file_is_stamped_not_rebuilt(db_path: Path, open_store: Callable[..., SqlStore]) -> None:
    """v5 is the head's schema: stamped as it is, rows and ids unchanged."""
    conn = legacy_file(db_path, 5)
    add_open_alert_and_queued_item(conn)
    conn.execute("INSERT INTO meta (key, value) VALUES ('last_digest', '2026-11-26')")
    conn.close()
    store = open_store()
    assert alembic_state(db_path) == (ALEMBIC_ERA, [head()])
    assert store.get_meta("last_digest") == "2026-11-26"
    assert [i.key for i in store.due_items(now=at(0))] == ["queued"]
    assert store.get_alert(ARN) is not None and store.list_alerts(open_only=True)[0].task_arn == ARN


def test_a_v1_file_gets_the_hand_made_steps_then_alembic(
    db_path: Path, open_store: Callable[..., SqlStore]
) -> None:
    """A v1 file (history only) keeps its sweeps and gains alert state and the outbox."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, path=str(db_path), steps=(HISTORY,)) == 1
    conn.execute(
        "INSERT INTO sweeps (checked_at, status, tasks, ok, warning, failure, errors) "
        "VALUES (?, 'success', 1, 1, 0, 0, 0)",
        (WHEN,),
    )
    conn.close()
    store = open_store()
    last = store.last_sweep()
    assert last is not None and (last.checked_at, last.status) == (T0, "success")
    store.save_alert(full_alert())
    assert store.get_alert(ARN) == full_alert()
    assert store.enqueue(destination="webhook", kind="report", payload={}, key="k", now=at(0)) == 1


def test_a_v3_outbox_gains_leases_and_its_queue_is_still_delivered(
    db_path: Path, open_store: Callable[..., SqlStore]
) -> None:
    """Upgrading a bot with messages still queued: they stay pending, due and unleased."""
    conn = legacy_file(db_path, 3)
    conn.execute(
        "INSERT INTO outbox (destination, kind, payload, key, created_at, next_attempt_at) "
        "VALUES ('slack:C1', 'post', '{}', 'queued', ?, ?)",
        (WHEN, WHEN),
    )
    conn.close()
    store = open_store()
    assert [i.key for i in store.due_items(now=at(0))] == ["queued"]
    assert store.release_leases() == 0


def test_a_newer_hand_made_version_is_refused_untouched(db_path: Path) -> None:
    """A file at a user_version no dms-bot before Alembic wrote is not guessed at."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match=r"created by a newer version of dms-bot"):
        SqlStore(db_path)
    with sqlite3.connect(db_path) as conn:
        assert user_version(conn) == len(MIGRATIONS) + 1
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_an_adopted_file_is_refused_by_a_bot_from_before_alembic(
    db_path: Path, open_store: Callable[..., SqlStore]
) -> None:
    """user_version 100: the hand-made migrate() of an older dms-bot says "newer", not "v5, fine"."""
    legacy_file(db_path, 4).close()
    open_store().close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    with pytest.raises(StoreError, match="newer version"):
        migrate(conn, path=str(db_path))
    conn.close()


def test_a_failing_hand_made_step_leaves_the_previous_version_intact(db_path: Path) -> None:
    """Each hand-made step is its own transaction: a broken step changes nothing."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    broken = ("CREATE TABLE half_done (a INTEGER)", "THIS IS NOT SQL")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, path=str(db_path), steps=(HISTORY, broken))
    assert user_version(conn) == 1
    assert "half_done" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
