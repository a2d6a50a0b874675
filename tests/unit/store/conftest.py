"""Builders for reports and a store on a real SQLite file under ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import ProblemTable, Report, Task, TaskError, TaskVerdict, Verdict
from bot.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 26, 9, 0, 0, 123456, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment ``minutes`` after T0."""
    return T0 + timedelta(minutes=minutes)


def task_verdict(
    name: str, verdict: Verdict = Verdict.OK, *, checked_at: datetime = T0, failed: int = 0
) -> TaskVerdict:
    problems = (
        ()
        if verdict is Verdict.OK
        else (ProblemTable("s", "t", verdict, "bad", "Mismatched records", "Table completed", failed, 0, 0),)
    )
    return TaskVerdict(
        target="prod",
        task=Task(identifier=name, arn=f"arn:aws:dms:eu-west-1:123456789012:task:{name}", status="running"),
        verdict=verdict,
        reasons=("1 table failed", "s.t: mismatch") if problems else (),
        tables_total=3,
        by_validation_state={"Validated": 3 - len(problems)},
        problem_tables=problems,
        problem_tables_total=len(problems),
        checked_at=checked_at,
        failed_records=failed,
        pending_records=2,
    )


def report(*tasks: TaskVerdict, errors: tuple[TaskError, ...] = (), checked_at: datetime = T0) -> Report:
    return Report(checked_at=checked_at, tasks=tasks, errors=errors, duration_seconds=1.5)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest.fixture
def open_store(db_path: Path) -> Iterator[Callable[..., SqliteStore]]:
    """Open stores on the test's file (any options); all closed after the test."""
    opened: list[SqliteStore] = []

    def open_(path: Path | None = None, **options: Any) -> SqliteStore:
        options.setdefault("clock", lambda: at(0))
        store = SqliteStore(path or db_path, **options)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[..., SqliteStore]) -> SqliteStore:
    return open_store()
