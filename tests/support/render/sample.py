"""Plain-value builders for render tests: tasks, tables and verdicts made by the real policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core.evaluate import evaluate
from bot.core.models import Report, TableStats, Task, TaskError, TaskVerdict

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
USER = "U0123ABCD"


def arn(n: int | str = 1) -> str:
    return f"arn:aws:dms:eu-west-1:123456789012:task:T{n}"


def task(identifier: str = "orders-cdc", *, n: int | str = 1, status: str = "running", **kw: object) -> Task:
    return Task(identifier=identifier, arn=kw.pop("arn", arn(n)), status=status, migration_type="cdc", **kw)  # type: ignore[arg-type]


def table(
    name: str = "orders",
    validation: str | None = "Validated",
    state: str | None = "Table completed",
    *,
    schema: str = "sales",
    failed: int = 0,
    suspended: int = 0,
    pending: int = 0,
    details: str | None = None,
) -> TableStats:
    return TableStats(
        schema=schema,
        table=name,
        table_state=state,
        validation_state=validation,
        failed_records=failed,
        suspended_records=suspended,
        pending_records=pending,
        validation_state_details=details,
    )


def healthy_tables(count: int = 3) -> list[TableStats]:
    return [table(f"t{i}") for i in range(count)]


def failing_tables(count: int = 2) -> list[TableStats]:
    return [table(f"bad{i}", "Mismatched records", failed=10 + i) for i in range(count)] + healthy_tables()


def verdict(t: Task, tables: Sequence[TableStats], *, target: str = "prod-eu") -> TaskVerdict:
    return evaluate(t, tables, now=NOW, target=target)


def failing(identifier: str = "orders-cdc", n: int | str = 1, *, tables: int = 2) -> TaskVerdict:
    return verdict(task(identifier, n=n), failing_tables(tables))


def warning(identifier: str = "billing-cdc", n: int | str = 2) -> TaskVerdict:
    return verdict(task(identifier, n=n, status="starting"), healthy_tables())


def ok(identifier: str = "users-cdc", n: int | str = 3) -> TaskVerdict:
    return verdict(task(identifier, n=n), healthy_tables())


def error(
    task_id: str | None = "audit-cdc", n: int | str = 9, text: str = "AccessDeniedFault: no"
) -> TaskError:
    return TaskError(target="prod-eu", task_id=task_id, error=text, task_arn=arn(n) if task_id else None)


def report(tasks: Sequence[TaskVerdict] = (), errors: Sequence[TaskError] = ()) -> Report:
    return Report(checked_at=NOW, tasks=tuple(tasks), errors=tuple(errors), duration_seconds=4.2)
