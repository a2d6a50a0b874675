"""Builders for reports, and the store on each backend: a real SQLite file under ``tmp_path``, and a
database of its own on the real PostgreSQL server (created for the test, dropped after it).

Every test that takes ``store`` or ``open_store`` runs once per backend; a directory whose tests only
make sense for one backend overrides ``store_location`` in its own conftest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.core.models import ProblemTable, Report, Task, TaskError, TaskVerdict, Verdict
from bot.store.location import POSTGRESQL, SQLITE
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, require_server, unique_name

BACKENDS = (SQLITE, POSTGRESQL)
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


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """The test server's admin connection, checked and opened once (the shared skip/CI rule)."""
    engine = sa.create_engine(require_server(POSTGRES_ENV), isolation_level="AUTOCOMMIT", pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh, empty database of the test's own on the PostgreSQL server (about 30 ms to create
    and drop, measured), as a URL (password included)."""
    name = unique_name("dms_bot_store")
    with postgres_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = postgres_admin.url.set(drivername="postgresql", database=name)
    yield url.render_as_string(hide_password=False)
    with postgres_admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where this test's store lives: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == SQLITE:
        return str(tmp_path / "bot.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def open_store(store_location: str) -> Iterator[Callable[..., SqlStore]]:
    """Open stores on the test's database (any options); all closed after the test."""
    opened: list[SqlStore] = []

    def open_(location: str | Path | None = None, **options: Any) -> SqlStore:
        options.setdefault("clock", lambda: at(0))
        store = SqlStore(location or store_location, **options)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[..., SqlStore]) -> SqlStore:
    return open_store()
