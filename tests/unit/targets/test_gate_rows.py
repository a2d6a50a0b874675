"""What the cutover gate reads from real PostgreSQL and MariaDB targets: v1 and v2 failures together
(newest first, v2's resync result), apply exceptions, cutoffs, and absent tables said as such."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.errors import TargetDbError
from bot.targets.connect import TargetDatabase
from bot.targets.queries import APPLY_EXCEPTIONS, V1, V2
from bot.targets.reader import FailuresReader
from tests.support import control_tables as ct
from tests.support.databases import MYSQL_ENV, POSTGRES_ENV, scratch_database
from tests.support.failures_data import DECOY, TASK
from tests.support.target_fixtures import FilledTarget

IDENTIFIER = "orders-cdc"
V1_ROWS = [ct.Failure(TASK, m, f'{{"key": ["{m}"]}}') for m in (1, 2, 3)] + [ct.Failure(DECOY, 9, "x")]
V2_ROWS = [
    ct.Failure(TASK, 5, '{"key": ["5"]}', resync="SUCCESS"),
    ct.Failure(TASK, 6, '{"key": ["6"]}', resync="FAILURE"),
    ct.Failure(TASK, 7, '{"key": ["7"]}', table="lines"),
    ct.Failure(DECOY, 9, "y", resync="FAILURE"),
]
EXCEPTIONS = [ct.ApplyException(IDENTIFIER, 4), ct.ApplyException(TASK, 8), ct.ApplyException(DECOY, 9)]


def utc(minute: float) -> datetime:
    return ct.at(minute).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Control:
    url: sa.URL
    schema: str
    backend: str

    def reader(self, schema: str | None = None) -> FailuresReader:
        engine = "postgres" if self.backend == "postgresql" else "mariadb"
        db = TargetDatabase("orders-target", None, engine, self.url, schema or self.schema)
        return FailuresReader(db)


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def control(request: pytest.FixtureRequest) -> Iterator[Control]:
    """A target holding v1, v2 and awsdms_apply_exceptions for TASK (and a decoy task)."""
    backend = str(request.param)
    env = POSTGRES_ENV if backend == "postgresql" else MYSQL_ENV
    with scratch_database(env, "awsdms_control") as url:
        schema = "public" if backend == "postgresql" else str(url.database)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            ct.create(conn, backend, schema)
            ct.insert_failures(conn, schema, V1, V1_ROWS)
            ct.insert_failures(conn, schema, V2, V2_ROWS)
            ct.insert_exceptions(conn, schema, EXCEPTIONS)
        engine.dispose()
        yield Control(url, schema, backend)


def test_failures_of_v1_and_v2_are_one_list_newest_first_with_the_resync_result(control: Control) -> None:
    reader = control.reader()
    page = reader.page(TASK, limit=10)
    assert page.total == 6 and page.by_type == {"RECORD_DIFF": 6}
    assert [r.failure_time.minute for r in page.rows if r.failure_time] == [7, 6, 5, 3, 2, 1]
    assert [r.resync for r in page.rows] == [None, "resync failed", "fixed by resync", None, None, None]
    assert reader.page(TASK, limit=2, offset=2).rows[0].key == ("5",)  # paging runs across both tables
    summary = reader.summary(TASK)
    assert summary.for_table("sales", "orders").total == 5  # type: ignore[union-attr]
    assert summary.for_table("sales", "lines").total == 1  # type: ignore[union-attr]
    reader.close()


def test_gate_counts_rows_not_fixed_by_resync_and_apply_exceptions_by_id_or_name(control: Control) -> None:
    reader = control.reader()
    rows = reader.gate_rows(TASK, IDENTIFIER, failures_after_time=None, exceptions_after_time=None)
    assert rows.absent == () and rows.error is None
    assert rows.failures is not None and rows.exceptions is not None
    assert (rows.failures.counted, rows.failures.fixed_by_resync, rows.failures.read) == (5, 1, (V1, V2))
    assert rows.failures.newest == utc(7)
    assert (rows.exceptions.counted, rows.exceptions.newest) == (2, utc(8))
    reader.close()


def test_rows_older_than_the_cutoff_do_not_count(control: Control) -> None:
    reader = control.reader()
    rows = reader.gate_rows(TASK, IDENTIFIER, failures_after_time=utc(5.5), exceptions_after_time=utc(7))
    assert rows.failures is not None and (rows.failures.counted, rows.failures.fixed_by_resync) == (2, 0)
    assert rows.exceptions is not None and rows.exceptions.counted == 1
    late = reader.gate_rows(TASK, IDENTIFIER, failures_after_time=utc(8), exceptions_after_time=utc(9))
    assert late.failures is not None and late.failures.counted == 0 and late.failures.newest is None
    assert late.exceptions is not None and late.exceptions.counted == 0
    reader.close()


@pytest.mark.parametrize("backend", ["postgres", "mysql"])
def test_a_v1_only_target_is_read_and_the_missing_tables_are_named(
    request: pytest.FixtureRequest, backend: str
) -> None:
    filled: FilledTarget = request.getfixturevalue(f"{backend}_target")
    db = TargetDatabase("orders-target", None, backend, filled.url, filled.control_schema)
    reader = FailuresReader(db)
    rows = reader.gate_rows(TASK, IDENTIFIER, failures_after_time=None, exceptions_after_time=None)
    assert rows.absent == (V2, APPLY_EXCEPTIONS) and rows.exceptions is None
    assert rows.failures is not None and (rows.failures.counted, rows.failures.read) == (15, (V1,))
    assert reader.page(TASK, limit=1).total == 15
    reader.close()


def test_a_target_without_failures_tables_says_so_in_failures_own_words(control: Control) -> None:
    reader = control.reader(schema="no_such_schema" if control.backend == "postgresql" else "no_such_db_x")
    with pytest.raises(TargetDbError) as caught:
        reader.gate_rows(TASK, IDENTIFIER, failures_after_time=None, exceptions_after_time=None)
    assert caught.value.kind == "missing_table"
    assert "no awsdms_validation_failures_v1 in schema" in str(caught.value)
    reader.close()


@pytest.mark.parametrize("control", ["postgresql"], indirect=True)
def test_a_v2_the_reader_may_not_read_is_an_error_on_postgresql(control: Control) -> None:
    """PostgreSQL tells "absent" from "not granted": failures never silently skip an existing v2."""
    # (MySQL answers "denied" for absent tables too: there an ungranted v2 is taken as absent.)
    role = f"gate_reader_{control.url.database}"[:60]
    admin = sa.create_engine(control.url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-123'"))
        conn.execute(sa.text(f"GRANT SELECT ON public.awsdms_validation_failures_v1 TO {role}"))
    try:
        url = control.url.set(username=role, password="pw-123")
        reader = FailuresReader(TargetDatabase("orders-target", None, "postgres", url, "public"))
        with pytest.raises(TargetDbError) as caught:
            reader.page(TASK)
        assert caught.value.kind == "permission" and "awsdms_validation_failures_v2" in str(caught.value)
        reader.close()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()
