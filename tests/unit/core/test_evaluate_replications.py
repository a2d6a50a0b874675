"""The verdict policy for DMS Serverless replications (issue 16 part 3): the same rules as tasks,
with the replication's own status strings, failure messages and lost statistics. Plain values only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.core.evaluate import classify_task, evaluate
from bot.core.models import TableStats, Task, TaskKind, Verdict

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
OK, WARNING, FAILURE = Verdict.OK, Verdict.WARNING, Verdict.FAILURE
CONFIG_ARN = "arn:aws:dms:eu-west-1:123456789012:replication-config:OZRAVXDSNFCUTG5UZNI6HRDWVY"


def replication(status: str = "running", **kw: object) -> Task:
    fields: dict[str, object] = {
        "identifier": "orders-serverless",
        "arn": CONFIG_ARN,
        "status": status,
        "migration_type": "full-load-and-cdc",
    }
    fields.update(kw)
    return Task(**fields)  # type: ignore[arg-type]


def verdict_of(task: Task) -> Verdict:
    return max((f[0] for f in classify_task(task)), default=OK)


def test_a_replication_is_told_by_its_config_arn() -> None:
    assert replication().kind is TaskKind.SERVERLESS


@pytest.mark.parametrize(
    ("status", "expected", "reason"),
    [
        ("running", OK, None),
        ("failed", FAILURE, "replication failed"),
        ("stopped", FAILURE, "replication stopped"),
        ("initializing", WARNING, "starting: initializing"),
        ("preparing_metadata_resources", WARNING, "starting: preparing metadata resources"),
        ("testing_connection", WARNING, "starting: testing connection"),
        ("fetching_metadata", WARNING, "starting: fetching metadata"),
        ("calculating_capacity", WARNING, "starting: calculating capacity"),
        ("provisioning_capacity", WARNING, "starting: provisioning capacity"),
        ("replication_starting", WARNING, "starting: replication starting"),
        ("created", WARNING, "replication created"),
        ("ready", WARNING, "replication ready"),
        ("stopping", WARNING, "replication stopping"),
        ("deleting", WARNING, "replication deleting"),
        ("modifying", WARNING, "replication modifying"),
        ("hibernating", WARNING, "unknown replication status “hibernating”"),  # no enum: never OK
        ("unknown", WARNING, "unknown replication status “unknown”"),
    ],
)
def test_every_replication_status(status: str, expected: Verdict, reason: str | None) -> None:
    """Replication.Status has no enum: running is healthy, start-up states warn, unknown ones warn."""
    findings = classify_task(replication(status))
    assert verdict_of(replication(status)) is expected
    assert [text for _, text in findings] == ([reason] if reason else [])


def test_failed_replication_gives_every_failure_message() -> None:
    """FailureMessages is a list: each entry is a reason, in DMS's order."""
    messages = ("Source endpoint unreachable", "Error Level FATAL: replication aborted")
    task = replication("failed", failure_messages=messages, last_failure_message=messages[-1])
    assert classify_task(task) == [
        (FAILURE, "replication failed"),
        (FAILURE, "failure: Source endpoint unreachable"),
        (FAILURE, "failure: Error Level FATAL: replication aborted"),
    ]


def test_failure_messages_on_a_running_replication_are_history() -> None:
    assert classify_task(replication("running", failure_messages=("old error",))) == []


@pytest.mark.parametrize(
    ("stop_reason", "migration_type", "expected"),
    [
        ("Stop Reason FATAL_ERROR", "full-load-and-cdc", FAILURE),
        ("Stop Reason RECOVERABLE_ERROR", "cdc", FAILURE),
        ("Stop Reason STOPPED_DUE_TO_LOW_MEMORY", "cdc", FAILURE),
        ("Stop Reason FULL_LOAD_ONLY_FINISHED", "full-load", OK),
        ("Stop Reason FULL_LOAD_ONLY_FINISHED", "", OK),
        ("Stop Reason FULL_LOAD_ONLY_FINISHED", "full-load-and-cdc", FAILURE),  # CDC should be running
        (None, "cdc", FAILURE),
    ],
)
def test_stopped_replication(stop_reason: str | None, migration_type: str, expected: Verdict) -> None:
    """Stopped with an error stop reason fails; stopped after a finished full load is fine."""
    task = replication("stopped", stop_reason=stop_reason, migration_type=migration_type)
    assert verdict_of(task) is expected


def test_stop_reason_is_named_without_its_prefix() -> None:
    task = replication("stopped", stop_reason="Stop Reason FATAL_ERROR")
    assert classify_task(task) == [(FAILURE, "replication stopped (FATAL_ERROR)")]


def test_task_words_are_unchanged() -> None:
    """The same table judges tasks: their reasons still say "task"."""
    task = replication("failed", arn="arn:aws:dms:eu-west-1:123456789012:task:ABC")
    assert classify_task(task) == [(FAILURE, "task failed")]
    assert classify_task(replace_status(task, "starting")) == [(WARNING, "task starting")]


def replace_status(task: Task, status: str) -> Task:
    return Task(identifier=task.identifier, arn=task.arn, status=status, migration_type=task.migration_type)


def _tables_that_must_not_be_read() -> Iterator[TableStats]:
    raise AssertionError("a deprovisioned replication's statistics were asked for")
    yield  # pragma: no cover


def test_deprovisioned_replication_says_its_statistics_are_gone() -> None:
    """No statistics call, no 'healthy': the verdict says the statistics went with the capacity."""
    when = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    task = replication(
        "stopped",
        stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED",
        migration_type="full-load",
        deprovisioned=True,
        deprovisioned_at=when,
    )
    verdict = evaluate(task, _tables_that_must_not_be_read(), now=NOW)
    assert verdict.verdict is WARNING
    assert verdict.reasons == ("statistics gone: deprovisioned on 2026-12-01 10:30 UTC",)
    assert verdict.tables_total == 0


def test_deprovisioned_failed_replication_stays_a_failure() -> None:
    task = replication("failed", failure_messages=("boom",), deprovisioned=True)
    verdict = evaluate(task, _tables_that_must_not_be_read(), now=NOW)
    assert verdict.verdict is FAILURE
    assert verdict.reasons == ("replication failed", "failure: boom", "statistics gone: deprovisioned")


def test_running_replication_is_judged_by_its_tables_like_a_task() -> None:
    tables = [
        TableStats("sales", "orders", "Table completed", "Mismatched records", failed_records=3),
        TableStats("sales", "lines", "Table completed", "Validated"),
    ]
    verdict = evaluate(replication(), iter(tables), now=NOW, target="prod")
    assert verdict.verdict is FAILURE
    assert verdict.reasons == ("1 table Mismatched records",)
    assert [p.name for p in verdict.problem_tables] == ["sales.orders"]
