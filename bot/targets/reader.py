"""Read one target database's DMS control tables: a page of failures, a whole task's summary, or
what the cutover gate counts.

Failures are read from v1 and v2 together (whichever exist: probed once per ``PRESENT_TTL``, a
statement that reads no row). Each call is one connection from the endpoint's pool and at most two
statements; errors leave as :class:`TargetDbError` with one line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.sql.expression import FromClause

from bot.core.cutover import ControlRows, TargetRows
from bot.core.failures import FailurePage, TaskFailures, parse_key, summarise, to_failure_row
from bot.targets.connect import TargetDatabase, create_target_engine
from bot.targets.engines import MYSQL
from bot.targets.errors import classify, to_target_error
from bot.targets.queries import (
    APPLY_EXCEPTIONS,
    V1,
    V2,
    Question,
    apply_exceptions_table,
    counts_by_type,
    exceptions_after,
    failures_after,
    failures_source,
    failures_table,
    newest_rows,
    probe,
    task_summary,
)

SUMMARY_ROW_CAP = 5000  # rows one task summary may return (tables x (types + samples))
PRESENT_TTL = 300.0  # seconds which control tables exist is remembered
T = TypeVar("T")


class FailuresReader:
    """Failures of any task whose target is ``db``; ``engine`` defaults to a new pooled one."""

    def __init__(
        self,
        db: TargetDatabase,
        *,
        engine: sa.Engine | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.engine = engine or create_target_engine(db)
        self._monotonic = monotonic
        self._present: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def page(
        self,
        task_name: str,
        *,
        table: tuple[str, str] | None = None,
        failure_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> FailurePage:
        """The newest ``limit`` (capped by the row limit) failures after the first ``offset``, and
        counts of all that match.

        ``task_name`` is the task's resource id, the last segment of its ARN.
        """
        schema, name = table or (None, None)
        question = Question(task_name, schema, name, failure_type)
        shown = max(1, min(limit, self.db.row_limit))

        def read(conn: sa.Connection, t: FromClause) -> tuple[list[Any], list[Any]]:
            rows = list(conn.execute(newest_rows(t, question, shown, max(offset, 0))).all())
            return rows, list(conn.execute(counts_by_type(t, question)).all())

        rows, counts = self._read(read)
        by_type: dict[str, int] = {}
        for kind, n in counts:
            by_type[str(kind or "UNKNOWN")] = by_type.get(str(kind or "UNKNOWN"), 0) + int(n)
        return FailurePage(
            total=sum(by_type.values()),
            by_type=dict(sorted(by_type.items())),
            rows=tuple(
                to_failure_row(
                    schema=r[0],
                    table=r[1],
                    failure_type=r[2],
                    key=r[3],
                    failure_time=r[4],
                    details=r[5],
                    resync_result=r[6],
                )
                for r in rows
            ),
        )

    def summary(self, task_name: str) -> TaskFailures:
        """Every table's counts by type and up to five newest keys, in one statement."""

        def read(conn: sa.Connection, t: FromClause) -> list[Any]:
            return list(conn.execute(task_summary(t, task_name, SUMMARY_ROW_CAP)).all())

        rows = self._read(read)
        counts = [
            (str(r.owner), str(r.name), str(r.kind or "UNKNOWN"), int(r.n)) for r in rows if r.type_rank == 1
        ]
        samples = [
            (str(r.owner), str(r.name), parse_key(None if r.key is None else str(r.key)))
            for r in sorted(rows, key=lambda r: (str(r.owner), str(r.name), int(r.table_rank)))
            if r.table_rank <= 5
        ]
        return summarise(counts, samples)

    def gate_rows(
        self,
        task_name: str,
        identifier: str,
        *,
        failures_after_time: datetime | None,
        exceptions_after_time: datetime | None,
    ) -> TargetRows:
        """What the cutover gate counts: failures (v1 + v2) and apply exceptions after the cutoffs."""
        present = self.present((V1, V2, APPLY_EXCEPTIONS))
        failures = [name for name in (V1, V2) if name in present]
        if not failures:
            raise to_target_error(self._missing(V1), self.db, table=V1)
        schema = self.db.control_schema
        with self._connect(V1) as conn:
            found = conn.execute(
                failures_after(failures_source(schema, tuple(failures)), task_name, failures_after_time)
            ).one()
            counted = ControlRows(int(found[0] or 0), _utc(found[1]), tuple(failures), int(found[2] or 0))
            exceptions = None
            if APPLY_EXCEPTIONS in present:
                t = apply_exceptions_table(schema)
                seen = conn.execute(exceptions_after(t, (task_name, identifier), exceptions_after_time)).one()
                exceptions = ControlRows(int(seen[0] or 0), _utc(seen[1]), (APPLY_EXCEPTIONS,))
        absent = tuple(name for name in (V1, V2, APPLY_EXCEPTIONS) if name not in present)
        return TargetRows(failures=counted, exceptions=exceptions, absent=absent)

    def present(self, names: tuple[str, ...] = (V1, V2)) -> frozenset[str]:
        """Which of these control tables exist (each answer remembered ``PRESENT_TTL`` seconds).

        A table absent is simply not there; any other failure (login, grant, timeout) is raised.
        """
        schema = self.db.control_schema
        found: set[str] = set()
        for name in names:
            with self._lock:
                known = self._present.get(name)
            if known is None or self._monotonic() - known[0] >= PRESENT_TTL:
                table = (
                    apply_exceptions_table(schema)
                    if name == APPLY_EXCEPTIONS
                    else failures_table(schema, name)
                )
                known = (self._monotonic(), self._exists(table, name))
                with self._lock:
                    self._present[name] = known
            if known[1]:
                found.add(name)
        return frozenset(found)

    def _exists(self, table: FromClause, name: str) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(probe(table)).all()
        except (sa_exc.SQLAlchemyError, OSError) as exc:
            kind = classify(exc)
            # MySQL answers "SELECT command denied" for a table that does not exist when the user
            # has grants on others only: v2 and apply_exceptions are then taken as absent (a caveat).
            hidden = kind == "permission" and self.db.family.name == MYSQL and name != V1
            if kind != "missing_table" and not hidden:
                raise to_target_error(exc, self.db, table=name) from None
            return False
        return True

    def close(self) -> None:
        """Close every pooled connection (the engine stays usable and reconnects on demand)."""
        self.engine.dispose()

    def _read(self, work: Callable[[sa.Connection, FromClause], T]) -> T:
        """``work`` over v1 and v2 as one relation (whichever exist; neither: v1's missing-table line)."""
        present = self.present()
        names = tuple(name for name in (V1, V2) if name in present)
        if not names:
            raise to_target_error(self._missing(V1), self.db, table=V1)
        with self._connect(names[0]) as conn:
            return work(conn, failures_source(self.db.control_schema, names))

    def _connect(self, table: str) -> _Guarded:
        return _Guarded(self, table)

    def _missing(self, table: str) -> Exception:
        """An error ``to_target_error`` words as "no <table> in schema ...: is validation enabled ..."."""
        return sa_exc.NoSuchTableError(f"no such table: {table}")


class _Guarded:
    """A pooled connection whose failures leave as one :class:`TargetDbError` line."""

    def __init__(self, reader: FailuresReader, table: str) -> None:
        self.reader, self.table = reader, table
        self.conn: sa.Connection | None = None

    def __enter__(self) -> sa.Connection:
        try:
            self.conn = self.reader.engine.connect()
        except (sa_exc.SQLAlchemyError, OSError) as exc:
            raise to_target_error(exc, self.reader.db, table=self.table) from None
        return self.conn

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        if self.conn is not None:
            self.conn.close()
        if isinstance(exc, sa_exc.SQLAlchemyError | OSError):
            raise to_target_error(exc, self.reader.db, table=self.table) from None


def _utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
