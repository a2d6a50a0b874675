"""Sweeps and compact verdicts: recording, reading back, history per task, pruning."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.core.models import CdcLatency, TaskError, Verdict
from bot.store.sql import SqlStore
from tests.unit.store.conftest import T0, at, report, task_verdict

ARN_A = "arn:aws:dms:eu-west-1:123456789012:task:a"


def test_fresh_store_is_empty(store: SqlStore) -> None:
    """A fresh store knows no sweep, no verdicts and no history."""
    assert store.last_sweep() is None
    assert store.latest_verdicts() == []
    assert store.task_history(ARN_A) == []


def test_record_sweep_round_trips_summary(store: SqlStore) -> None:
    """The sweep row carries the report's time, status, counts and duration."""
    rep = report(
        task_verdict("a"),
        task_verdict("b", Verdict.FAILURE, failed=7),
        errors=(TaskError("prod", "c", "AccessDenied", task_arn="arn:c"),),
    )
    sweep_id = store.record_sweep(rep)
    last = store.last_sweep()
    assert last is not None
    assert (last.id, last.checked_at, last.status) == (sweep_id, T0, "failure")
    assert (last.tasks, last.ok, last.warning, last.failure, last.errors) == (2, 1, 0, 1, 1)
    assert last.duration_seconds == 1.5
    assert last.checked_at.tzinfo is not None and last.checked_at.utcoffset() == timedelta(0)


def test_verdict_rows_cover_tasks_and_errors(store: SqlStore) -> None:
    """One row per TaskVerdict and one per TaskError (verdict "error"), in report order."""
    rep = report(
        task_verdict("a"),
        task_verdict("b", Verdict.FAILURE, failed=7),
        errors=(TaskError("prod", "c", "AccessDenied", task_arn="arn:c"), TaskError("dev", None, "down")),
    )
    sweep_id = store.record_sweep(rep)
    a, b, c, whole_target = store.latest_verdicts()
    assert {r.sweep_id for r in (a, b, c, whole_target)} == {sweep_id}
    assert (a.task_id, a.verdict, a.status, a.reasons) == ("a", "ok", "running", ())
    assert (b.task_arn, b.verdict, b.failed_records, b.problem_tables) == (
        "arn:aws:dms:eu-west-1:123456789012:task:b",
        "failure",
        7,
        1,
    )
    assert b.reasons == ("1 table failed", "s.t: mismatch")
    assert (b.tables_total, b.pending_records, b.suspended_records) == (3, 2, 0)
    assert (c.task_arn, c.task_id, c.verdict, c.reasons) == ("arn:c", "c", "error", ("AccessDenied",))
    assert (whole_target.target, whole_target.task_id, whole_target.task_arn) == ("dev", "", None)


def test_latest_verdicts_are_from_the_most_recent_sweep(store: SqlStore) -> None:
    """Older sweeps' rows are not mixed in."""
    store.record_sweep(report(task_verdict("a"), task_verdict("b")))
    store.record_sweep(report(task_verdict("a", Verdict.WARNING, checked_at=at(15)), checked_at=at(15)))
    [row] = store.latest_verdicts()
    assert (row.task_id, row.verdict, row.checked_at) == ("a", "warning", at(15))


def test_task_history_is_the_last_n_oldest_first(store: SqlStore) -> None:
    """``limit`` keeps the most recent rows of that task only, returned oldest first."""
    for i in range(5):
        when = at(15 * i)
        store.record_sweep(
            report(task_verdict("a", failed=i, checked_at=when), task_verdict("b"), checked_at=when)
        )
    history = store.task_history(ARN_A, limit=3)
    assert [r.failed_records for r in history] == [2, 3, 4]
    assert [r.checked_at for r in history] == [at(30), at(45), at(60)]
    assert {r.task_id for r in history} == {"a"}


def test_prune_forgets_old_sweeps_verdicts_audit_and_finished_outbox(store: SqlStore) -> None:
    """Everything older than the cut-off goes, except outbox items still pending; the count is returned."""
    store.record_sweep(report(task_verdict("a"), task_verdict("b")))  # 1 sweep + 2 verdicts: old
    store.record_sweep(report(task_verdict("a", checked_at=at(60)), checked_at=at(60)))
    store.add_audit(at=at(0), user_id="U1", action="ack", task_arn=ARN_A, detail="")
    store.add_audit(at=at(60), user_id="U1", action="ack", task_arn=ARN_A, detail="")
    sent = store.enqueue(destination="webhook", kind="report", payload={}, key="k1", now=at(0))
    dead = store.enqueue(destination="slack:C1", kind="post", payload={}, key="k2", now=at(0))
    pending = store.enqueue(destination="slack:C2", kind="post", payload={}, key="k3", now=at(0))
    assert sent and dead and pending
    store.mark_sent(sent, result=None, at=at(1))
    store.mark_dead(dead, error="channel_not_found")

    assert store.prune(older_than=at(30)) == 1 + 2 + 1 + 2
    assert [r.checked_at for r in store.task_history(ARN_A)] == [at(60)]
    assert [e.at for e in store.audit_entries()] == [at(60)]
    assert store.get_item(sent) is None and store.get_item(dead) is None
    assert store.get_item(pending) is not None
    assert store.prune(older_than=at(30)) == 0


def test_cdc_latency_round_trips_with_unknown_sides_kept_unknown(store: SqlStore) -> None:
    """Each side of the lag is stored as read: a number, 0 (a quiet source), or None (no datapoint);
    a task not fetched and a task that could not be checked have neither."""
    lag = CdcLatency(source_seconds=0.0, target_seconds=None)
    rep = report(
        replace(task_verdict("a"), cdc_latency=lag),
        replace(task_verdict("b"), cdc_latency=CdcLatency(12.5, 3725.0)),
        task_verdict("c"),
        errors=(TaskError("prod", "d", "AccessDenied", task_arn="arn:d"),),
    )
    store.record_sweep(rep)
    rows = store.latest_verdicts()
    assert [(r.task_id, r.cdc_source_seconds, r.cdc_target_seconds) for r in rows] == [
        ("a", 0.0, None),
        ("b", 12.5, 3725.0),
        ("c", None, None),
        ("d", None, None),
    ]
    [a] = store.task_history(ARN_A)
    assert (a.cdc_source_seconds, a.cdc_target_seconds) == (0.0, None)


def test_a_sweep_of_600_tasks_is_a_handful_of_statements(store: SqlStore) -> None:
    """The verdict rows go in as one executemany (batched INSERTs on psycopg), not 600 round trips."""
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    engine = store.database.engine
    rep = report(
        *(task_verdict(f"t{i:03d}", Verdict.FAILURE if i % 7 == 0 else Verdict.OK) for i in range(600))
    )
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        started = time.perf_counter()
        store.record_sweep(rep)
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements.count("INSERT") <= 3 and len(statements) <= 6, statements
    assert len(store.latest_verdicts()) == 600
    assert elapsed < 2.0
