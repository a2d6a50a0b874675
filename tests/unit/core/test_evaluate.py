"""The verdict policy, state by state (DESIGN.md "Verdict policy"), with plain values only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.evaluate import classify_table, classify_task, evaluate
from bot.core.models import Policy, PolicyMode, TableStats, Task, Verdict

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
OK, WARNING, FAILURE = Verdict.OK, Verdict.WARNING, Verdict.FAILURE


def task(status: str = "running", **kw: object) -> Task:
    fields: dict[str, object] = {
        "identifier": "orders-cdc",
        "arn": "arn:aws:dms:eu-west-1:123456789012:task:ABC",
        "status": status,
        "migration_type": "cdc",
    }
    fields.update(kw)
    return Task(**fields)  # type: ignore[arg-type]


def table(
    validation: str | None = "Validated",
    state: str | None = "Table completed",
    name: str = "orders",
    **kw: int,
) -> TableStats:
    return TableStats(schema="sales", table=name, table_state=state, validation_state=validation, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("validation_state", "expected"),
    [
        ("Validated", OK),
        ("Pending records", OK),
        ("Pending validation", OK),
        ("Preparing table", OK),
        ("Pending revalidation", OK),
        ("No primary key", WARNING),
        ("Mismatched records", FAILURE),
        ("Suspended records", FAILURE),
        ("Table error", FAILURE),
        ("Error", FAILURE),
        ("Ready to validate", WARNING),  # undocumented: never silently OK
        ("", WARNING),
        (None, WARNING),
    ],
)
def test_every_validation_state(validation_state: str | None, expected: Verdict) -> None:
    """Each documented ValidationState maps to its verdict; unknown or missing ones warn."""
    assert classify_table(table(validation_state))[0] is expected


@pytest.mark.parametrize(
    ("table_state", "expected"),
    [
        ("Table completed", OK),
        ("Before load", OK),
        ("Full load", OK),
        ("Table is being reloaded", OK),
        ("Table cancelled", WARNING),
        ("Table does not exist", WARNING),
        ("Table error", FAILURE),
        ("Table all", WARNING),  # removed from the model: unknown now
        (None, WARNING),
    ],
)
def test_every_table_state(table_state: str | None, expected: Verdict) -> None:
    """Each documented TableState maps to its verdict; unknown or missing ones warn."""
    assert classify_table(table("Validated", table_state))[0] is expected


@pytest.mark.parametrize(
    ("counts", "label"),
    [
        ({"failed_records": 3}, "with failed validation records"),
        ({"suspended_records": 1}, "with suspended validation records"),
    ],
)
def test_failed_or_suspended_records_fail_even_when_validated(counts: dict[str, int], label: str) -> None:
    """A table reporting failed or suspended records is a failure whatever its state says."""
    assert classify_table(table("Validated", **counts)) == (FAILURE, label)  # type: ignore[arg-type]


def test_pending_records_alone_are_fine() -> None:
    """Pending records are validation doing its job, not a problem."""
    assert classify_table(table("Pending records", pending_records=10_000))[0] is OK


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("running", OK),
        ("failed", FAILURE),
        ("failed-move", FAILURE),
        ("stopped", FAILURE),
        ("ready", WARNING),
        ("creating", WARNING),
        ("starting", WARNING),
        ("stopping", WARNING),
        ("modifying", WARNING),
        ("moving", WARNING),
        ("testing", WARNING),
        ("deleting", WARNING),
        ("hibernating", WARNING),  # unknown
    ],
)
def test_every_task_status(status: str, expected: Verdict) -> None:
    """Task statuses: failed/stopped fail, transient ones warn, unknown ones warn."""
    verdict = evaluate(task(status), [], now=NOW)
    assert verdict.verdict is expected


def test_full_load_task_finished_is_ok() -> None:
    """A full-load task stopped with FULL_LOAD_ONLY_FINISHED did its job."""
    t = task("stopped", migration_type="full-load", stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED")
    assert evaluate(t, [table()], now=NOW).verdict is OK


def test_cdc_task_stopped_names_the_stop_reason() -> None:
    """A stopped CDC task fails, and the reason says why it stopped."""
    t = task("stopped", stop_reason="Stop Reason FATAL_ERROR")
    v = evaluate(t, [table()], now=NOW)
    assert v.verdict is FAILURE
    assert v.reasons == ("task stopped (FATAL_ERROR)",)


def test_last_failure_message_on_a_non_running_task_fails() -> None:
    """Any LastFailureMessage on a task that is not running is a failure."""
    t = task("ready", last_failure_message="Error: endpoint unreachable")
    assert (FAILURE, "last failure: Error: endpoint unreachable") in classify_task(t)


def test_last_failure_message_on_a_running_task_is_history() -> None:
    """A running task's old LastFailureMessage is not a current problem."""
    assert classify_task(task("running", last_failure_message="old")) == []


def test_validation_not_enabled_is_one_task_warning() -> None:
    """A task without validation gets one task-level warning, not one per table."""
    v = evaluate(task(), [table("Not enabled", name=f"t{i}") for i in range(300)], now=NOW)
    assert v.verdict is WARNING
    assert v.reasons == ("validation not enabled on this task",)
    assert v.problem_tables == ()
    assert v.by_validation_state == {"Not enabled": 300}


def test_some_tables_excluded_from_validation_is_not_a_warning() -> None:
    """Tables excluded from validation beside validated ones are counted, not flagged."""
    v = evaluate(task(), [table("Not enabled", name="a"), table("Validated", name="b")], now=NOW)
    assert v.verdict is OK
    assert v.by_validation_state == {"Not enabled": 1, "Validated": 1}


def test_reasons_count_tables_by_problem_worst_first() -> None:
    """Reasons read like the report: "2 tables Mismatched records", failures before warnings."""
    tables = [
        table("No primary key", name="a"),
        table("Mismatched records", name="b", failed_records=3),
        table("Mismatched records", name="c", failed_records=9),
        table("Table error", "Table error", name="d"),
    ]
    v = evaluate(task(), tables, now=NOW)
    assert v.verdict is FAILURE
    assert v.reasons == ("2 tables Mismatched records", "1 table Table error", "1 table No primary key")
    assert [p.table for p in v.problem_tables] == ["c", "b", "d", "a"]
    assert (v.failed_records, v.problem_tables_total, v.tables_total) == (12, 4, 4)


def test_problem_tables_are_capped_but_counted() -> None:
    """Only the worst ``problem_table_cap`` tables are kept; the true total is still reported."""
    tables = [table("Mismatched records", name=f"t{i:04}", failed_records=i) for i in range(1, 1001)]
    v = evaluate(task(), iter(tables), now=NOW, policy=Policy(problem_table_cap=50))
    assert v.problem_tables_total == 1000
    assert len(v.problem_tables) == 50
    assert [p.failed_records for p in v.problem_tables] == list(range(1000, 950, -1))


def test_strict_mode_fails_anything_not_validated() -> None:
    """Strict mode reproduces the original tool: any table not "Validated" is a failure."""
    strict = Policy(mode=PolicyMode.STRICT)
    for state in ("Pending records", "Not enabled", "No primary key", None):
        assert evaluate(task(), [table(state)], now=NOW, policy=strict).verdict is FAILURE
    assert evaluate(task(), [table("Validated")], now=NOW, policy=strict).verdict is OK


def test_verdict_records_when_it_was_made() -> None:
    """``now`` is an input, never read from a clock."""
    assert evaluate(task(), [], now=NOW, target="prod").checked_at == NOW


def test_unreadable_record_counts_are_never_silently_ok() -> None:
    """A count DMS sent as text or garbage cannot prove the table healthy: a warning."""
    from bot.core.parse import to_table_stats

    raw = {
        "SchemaName": "s",
        "TableName": "t",
        "TableState": "Table completed",
        "ValidationState": "Validated",
    }
    assert classify_table(to_table_stats(raw))[0] is OK
    odd = to_table_stats({**raw, "ValidationFailedRecords": "lots"})
    assert classify_table(odd) == (WARNING, "with unreadable record counts")
