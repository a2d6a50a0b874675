"""The SELECTs the bot sends to a target's DMS control tables, in SQLAlchemy Core.

The tables are declared, not reflected (no metadata queries), with DMS's upper-case column names as
quoted identifiers, so the same statements compile for PostgreSQL, MySQL/MariaDB and SQLite.
Every statement filters on ``TASK_NAME`` (the task's resource id) and is bounded by a LIMIT.

Failures live in ``awsdms_validation_failures_v1`` and, from engine 3.6.1 (data resync),
``awsdms_validation_failures_v2`` (v1's columns plus ``RESYNC_*``): the bot reads whichever exist as
one relation (:func:`failures_source`), newest first. Whether DMS also writes a v2 row to v1 is
UNVERIFIED (reference/dms-cutover.md section 9); if it does, such a row is listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.sql.expression import ColumnElement, FromClause, TableClause

V1 = "awsdms_validation_failures_v1"
V2 = "awsdms_validation_failures_v2"  # engine 3.6.1+: v1's columns plus RESYNC_RESULT / RESYNC_TIME
APPLY_EXCEPTIONS = "awsdms_apply_exceptions"
RESYNC_FIXED = "SUCCESS"  # RESYNC_RESULT of a row DMS's data resync fixed (else FAILURE, or NULL)
SAMPLES_PER_TABLE = 5


def _column(name: str, kind: sa.types.TypeEngine[Any]) -> sa.ColumnClause[Any]:
    return sa.column(quoted_name(name, quote=True), kind)


_FAILURE_COLUMNS = (
    ("TASK_NAME", sa.String()),
    ("TABLE_OWNER", sa.String()),
    ("TABLE_NAME", sa.String()),
    ("FAILURE_TIME", sa.DateTime()),
    ("KEY", sa.Text()),
    ("FAILURE_TYPE", sa.String()),
    ("DETAILS", sa.Text()),
)
_RESYNC_COLUMNS = (("RESYNC_RESULT", sa.String()), ("RESYNC_TIME", sa.DateTime()))


def failures_table(schema: str | None, name: str = V1) -> TableClause:
    """A failures table, declared with DMS's columns (``KEY_TYPE`` is always ``Row``: not read)."""
    columns = _FAILURE_COLUMNS + (_RESYNC_COLUMNS if name == V2 else ())
    return sa.table(name, *(_column(n, kind) for n, kind in columns), schema=schema)


def failures_source(schema: str | None, names: tuple[str, ...]) -> FromClause:
    """v1 and/or v2 (``names``) as one relation with v2's columns; v1's ``RESYNC_*`` are NULL."""
    selects = []
    for name in names:
        t = failures_table(schema, name)
        resync = [
            t.c[n] if name == V2 else sa.cast(sa.null(), kind).label(quoted_name(n, quote=True))
            for n, kind in _RESYNC_COLUMNS
        ]
        selects.append(sa.select(*(t.c[n] for n, _ in _FAILURE_COLUMNS), *resync))
    if len(selects) == 1:
        return selects[0].subquery("failures")
    return sa.union_all(*selects).subquery("failures")


def apply_exceptions_table(schema: str | None) -> TableClause:
    """``awsdms_apply_exceptions``: changes DMS could not apply (TASK_NAME, ..., ERROR_TIME, ...)."""
    columns: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
        ("TASK_NAME", sa.String()),
        ("TABLE_OWNER", sa.String()),
        ("TABLE_NAME", sa.String()),
        ("ERROR_TIME", sa.DateTime()),
    )
    return sa.table(APPLY_EXCEPTIONS, *(_column(n, kind) for n, kind in columns), schema=schema)


def probe(t: FromClause) -> sa.Select[Any]:
    """A statement that reads nothing but fails when ``t`` is absent or not granted."""
    return sa.select(sa.literal(1)).select_from(t).limit(0)


def failures_after(t: FromClause, task_name: str, after: datetime | None) -> sa.Select[int, Any, int]:
    """(rows that block, newest of them, rows DMS's resync fixed) for the gate: one row."""
    c = t.c
    fixed = c["RESYNC_RESULT"] == RESYNC_FIXED
    where: list[ColumnElement[bool]] = [c["TASK_NAME"] == task_name]
    if after is not None:
        where.append(c["FAILURE_TIME"] > _naive_utc(after))
    blocking = sa.case((fixed, None), else_=c["FAILURE_TIME"])
    return sa.select(
        sa.func.count(blocking), sa.func.max(blocking), sa.func.count(sa.case((fixed, 1)))
    ).where(*where)


def exceptions_after(t: FromClause, names: tuple[str, ...], after: datetime | None) -> sa.Select[int, Any]:
    """(rows, newest) of the task's apply exceptions; TASK_NAME matched on its resource id or its
    identifier (which one DMS writes there is UNVERIFIED)."""
    c = t.c
    where: list[ColumnElement[bool]] = [c["TASK_NAME"].in_(names)]
    if after is not None:
        where.append(c["ERROR_TIME"] > _naive_utc(after))
    return sa.select(sa.func.count(), sa.func.max(c["ERROR_TIME"])).where(*where)


@dataclass(frozen=True, slots=True)
class Question:
    """Which failures: one task, optionally one table and one failure type."""

    task_name: str
    schema: str | None = None
    table: str | None = None
    failure_type: str | None = None

    def where(self, t: FromClause) -> list[ColumnElement[bool]]:
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
    t: FromClause, question: Question, limit: int, offset: int = 0
) -> sa.Select[tuple[object, ...]]:
    """The newest ``limit`` matching rows after the first ``offset`` (ties broken by table, type and
    key, so pages are stable)."""
    c = t.c
    return (
        sa.select(
            c["TABLE_OWNER"],
            c["TABLE_NAME"],
            c["FAILURE_TYPE"],
            c["KEY"],
            c["FAILURE_TIME"],
            c["DETAILS"],
            c["RESYNC_RESULT"],
        )
        .where(*question.where(t))
        .order_by(c["FAILURE_TIME"].desc(), c["TABLE_OWNER"], c["TABLE_NAME"], c["FAILURE_TYPE"], c["KEY"])
        .limit(limit)
        .offset(offset or None)
    )


def counts_by_type(t: FromClause, question: Question) -> sa.Select[tuple[object, ...]]:
    """How many matching rows of each failure type (the total is their sum)."""
    c = t.c
    return sa.select(c["FAILURE_TYPE"], sa.func.count()).where(*question.where(t)).group_by(c["FAILURE_TYPE"])


def task_summary(t: FromClause, task_name: str, limit: int) -> sa.Select[tuple[object, ...]]:
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


def _naive_utc(moment: datetime) -> datetime:
    """DMS writes UTC into columns without a zone: compare in the same terms."""
    return moment.astimezone(UTC).replace(tzinfo=None)
