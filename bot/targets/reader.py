"""Read one target database's validation failures: a page of rows, or a whole task's summary.

Each call is one connection from the endpoint's pool and at most two statements; errors leave as
:class:`TargetDbError` with one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.sql.expression import TableClause

from bot.core.failures import FailurePage, TaskFailures, parse_key, summarise, to_failure_row
from bot.targets.connect import TargetDatabase, create_target_engine
from bot.targets.engines import POSTGRESQL
from bot.targets.errors import classify, to_target_error
from bot.targets.queries import V1, V2, Question, counts_by_type, failures_table, newest_rows, task_summary

SUMMARY_ROW_CAP = 5000  # rows one task summary may return (tables x (types + samples))
T = TypeVar("T")


class FailuresReader:
    """Failures of any task whose target is ``db``; ``engine`` defaults to a new pooled one."""

    def __init__(self, db: TargetDatabase, *, engine: sa.Engine | None = None) -> None:
        self.db = db
        self.engine = engine or create_target_engine(db)

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

        def read(conn: sa.Connection, t: TableClause) -> tuple[list[Any], list[Any]]:
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
                    schema=r[0], table=r[1], failure_type=r[2], key=r[3], failure_time=r[4], details=r[5]
                )
                for r in rows
            ),
        )

    def summary(self, task_name: str) -> TaskFailures:
        """Every table's counts by type and up to five newest keys, in one statement."""

        def read(conn: sa.Connection, t: TableClause) -> list[Any]:
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

    def close(self) -> None:
        """Close every pooled connection (the engine stays usable and reconnects on demand)."""
        self.engine.dispose()

    def _read(self, work: Callable[[sa.Connection, TableClause], T]) -> T:
        names = (V1, V2) if self.db.family.name == POSTGRESQL else (V1,)
        for name in names:
            try:
                with self.engine.connect() as conn:
                    return work(conn, failures_table(self.db.control_schema, name))
            except (sa_exc.SQLAlchemyError, OSError) as exc:
                if name != names[-1] and classify(exc) == "missing_table":
                    continue  # no v1: a 3.6.1+ PostgreSQL target may hold only v2
                raise to_target_error(exc, self.db, table=V1) from None
        raise AssertionError("unreachable")  # pragma: no cover
