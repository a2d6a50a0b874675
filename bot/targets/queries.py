"""The SELECTs the bot sends to a target's ``awsdms_validation_failures_v1``, in SQLAlchemy Core.

The table is declared, not reflected (no metadata queries), with DMS's upper-case column names as
quoted identifiers, so the same statements compile for PostgreSQL, MySQL/MariaDB and SQLite.
Every statement filters on ``TASK_NAME`` (the task's resource id) and is bounded by a LIMIT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.sql.expression import ColumnElement, TableClause

V1 = "awsdms_validation_failures_v1"
# From engine 3.6.1 PostgreSQL targets may also hold v2 (same columns plus resync ones). The bot
# reads v1, the table the User Guide documents on every engine, and v2 only when v1 is absent.
V2 = "awsdms_validation_failures_v2"
SAMPLES_PER_TABLE = 5


def _column(name: str, kind: sa.types.TypeEngine[Any]) -> sa.ColumnClause[Any]:
    return sa.column(quoted_name(name, quote=True), kind)


def failures_table(schema: str | None, name: str = V1) -> TableClause:
    """The control table, declared with DMS's columns (``KEY_TYPE`` is always ``Row``: not read)."""
    return sa.table(
        name,
        _column("TASK_NAME", sa.String()),
        _column("TABLE_OWNER", sa.String()),
        _column("TABLE_NAME", sa.String()),
        _column("FAILURE_TIME", sa.DateTime()),
        _column("KEY", sa.Text()),
        _column("FAILURE_TYPE", sa.String()),
        _column("DETAILS", sa.Text()),
        schema=schema,
    )


@dataclass(frozen=True, slots=True)
class Question:
    """Which failures: one task, optionally one table and one failure type."""

    task_name: str
    schema: str | None = None
    table: str | None = None
    failure_type: str | None = None

    def where(self, t: TableClause) -> list[ColumnElement[bool]]:
        c = t.c
        clauses = [c["TASK_NAME"] == self.task_name]
        if self.schema is not None:
            clauses.append(c["TABLE_OWNER"] == self.schema)
        if self.table is not None:
            clauses.append(c["TABLE_NAME"] == self.table)
        if self.failure_type is not None:
            clauses.append(c["FAILURE_TYPE"] == self.failure_type)
        return clauses


def newest_rows(
    t: TableClause, question: Question, limit: int, offset: int = 0
) -> sa.Select[tuple[object, ...]]:
    """The newest ``limit`` matching rows after the first ``offset`` (ties broken by table, type and
    key, so pages are stable)."""
    c = t.c
    return (
        sa.select(
            c["TABLE_OWNER"], c["TABLE_NAME"], c["FAILURE_TYPE"], c["KEY"], c["FAILURE_TIME"], c["DETAILS"]
        )
        .where(*question.where(t))
        .order_by(c["FAILURE_TIME"].desc(), c["TABLE_OWNER"], c["TABLE_NAME"], c["FAILURE_TYPE"], c["KEY"])
        .limit(limit)
        .offset(offset or None)
    )


def counts_by_type(t: TableClause, question: Question) -> sa.Select[tuple[object, ...]]:
    """How many matching rows of each failure type (the total is their sum)."""
    c = t.c
    return sa.select(c["FAILURE_TYPE"], sa.func.count()).where(*question.where(t)).group_by(c["FAILURE_TYPE"])


def task_summary(t: TableClause, task_name: str, limit: int) -> sa.Select[tuple[object, ...]]:
    """One statement for a whole task: per (table, type) the count, and per table the newest keys.

    Window functions (PostgreSQL, MariaDB 10.2+, MySQL 8, SQLite 3.25+) rank the rows; a row comes
    back if it is the newest of its (table, type) - carrying that group's count - or among the newest
    ``SAMPLES_PER_TABLE`` of its table.
    """
    c = t.c
    by_table = (c["TABLE_OWNER"], c["TABLE_NAME"])
    ranked = (
        sa.select(
            c["TABLE_OWNER"].label("owner"),
            c["TABLE_NAME"].label("name"),
            c["FAILURE_TYPE"].label("kind"),
            c["KEY"].label("key"),
            sa.func.count().over(partition_by=(*by_table, c["FAILURE_TYPE"])).label("n"),
            sa.func.row_number()
            .over(partition_by=(*by_table, c["FAILURE_TYPE"]), order_by=c["FAILURE_TIME"].desc())
            .label("type_rank"),
            sa.func.row_number()
            .over(partition_by=by_table, order_by=(c["FAILURE_TIME"].desc(), c["FAILURE_TYPE"]))
            .label("table_rank"),
        )
        .where(c["TASK_NAME"] == task_name)
        .subquery("ranked")
    )
    r = ranked.c
    return (
        sa.select(r.owner, r.name, r.kind, r.key, r.n, r.type_rank, r.table_rank)
        .where(sa.or_(r.type_rank == 1, r.table_rank <= SAMPLES_PER_TABLE))
        .order_by(r.owner, r.name, r.table_rank)
        .limit(limit)
    )
