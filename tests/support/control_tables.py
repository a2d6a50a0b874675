"""DMS's other control tables laid out as DMS does, for the cutover gate's tests:
``awsdms_validation_failures_v2`` (v1's columns plus RESYNC_*, engine 3.6.1+) and
``awsdms_apply_exceptions``; rows are placed in time by minutes after ``failures_data.T0``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import quoted_name

from tests.support.failures_data import COLUMNS, MYSQL_DDL, PG_DDL, T0

PG_V2 = """CREATE TABLE {schema}.awsdms_validation_failures_v2 (
  "RESYNC_ID" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "TASK_NAME" varchar(128) NOT NULL, "TABLE_OWNER" varchar(128) NOT NULL,
  "TABLE_NAME" varchar(128) NOT NULL, "FAILURE_TIME" timestamp NOT NULL,
  "KEY_TYPE" varchar(128) NOT NULL, "KEY" varchar(7800) NOT NULL,
  "FAILURE_TYPE" varchar(128) NOT NULL, "DETAILS" varchar(7800) NOT NULL,
  "RESYNC_RESULT" varchar(32), "RESYNC_TIME" timestamp, "RESYNC_ACTION" varchar(32))"""
MYSQL_V2 = """CREATE TABLE {schema}.awsdms_validation_failures_v2 (
  RESYNC_ID BIGINT AUTO_INCREMENT PRIMARY KEY,
  TASK_NAME VARCHAR(128) NOT NULL, TABLE_OWNER VARCHAR(128) NOT NULL,
  TABLE_NAME VARCHAR(128) NOT NULL, FAILURE_TIME DATETIME(3) NOT NULL,
  KEY_TYPE VARCHAR(128) NOT NULL, `KEY` TEXT NOT NULL,
  FAILURE_TYPE VARCHAR(128) NOT NULL, DETAILS VARCHAR(8000) NOT NULL,
  RESYNC_RESULT VARCHAR(32), RESYNC_TIME DATETIME(3), RESYNC_ACTION VARCHAR(32)
) DEFAULT CHARSET=utf8mb4"""
PG_EXCEPTIONS = """CREATE TABLE {schema}.awsdms_apply_exceptions (
  "TASK_NAME" varchar(128) NOT NULL, "TABLE_OWNER" varchar(128) NOT NULL,
  "TABLE_NAME" varchar(128) NOT NULL, "ERROR_TIME" timestamp NOT NULL,
  "STATEMENT" text NOT NULL, "ERROR" text NOT NULL)"""
MYSQL_EXCEPTIONS = """CREATE TABLE {schema}.awsdms_apply_exceptions (
  TASK_NAME VARCHAR(128) NOT NULL, TABLE_OWNER VARCHAR(128) NOT NULL,
  TABLE_NAME VARCHAR(128) NOT NULL, ERROR_TIME DATETIME(3) NOT NULL,
  STATEMENT TEXT NOT NULL, ERROR TEXT NOT NULL) DEFAULT CHARSET=utf8mb4"""
DDL = {"postgresql": (PG_DDL, PG_V2, PG_EXCEPTIONS), "mysql": (MYSQL_DDL, MYSQL_V2, MYSQL_EXCEPTIONS)}


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


@dataclass(frozen=True)
class Failure:
    task: str
    minute: int
    key: str
    table: str = "orders"
    resync: str | None = None  # RESYNC_RESULT (v2 only)


@dataclass(frozen=True)
class ApplyException:
    task: str  # TASK_NAME as written: the resource id or the identifier
    minute: int


def _table(name: str, columns: tuple[str, ...], schema: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(quoted_name(c, quote=True)) for c in columns), schema=schema)


def create(
    conn: sa.Connection,
    backend: str,
    schema: str,
    *,
    v1: bool = True,
    v2: bool = True,
    exceptions: bool = True,
) -> None:
    """Create the control tables asked for (``backend``: ``postgresql`` or ``mysql``)."""
    for wanted, ddl in zip((v1, v2, exceptions), DDL[backend], strict=True):
        if wanted:
            conn.execute(sa.text(ddl.format(schema=schema)))


def insert_failures(conn: sa.Connection, schema: str, name: str, rows: list[Failure]) -> None:
    extra = ("RESYNC_RESULT", "RESYNC_TIME") if name.endswith("v2") else ()
    table = _table(name, COLUMNS + extra, schema)
    values = []
    for r in rows:
        row = dict(
            zip(
                COLUMNS,
                (r.task, "sales", r.table, at(r.minute), "Row", r.key, "RECORD_DIFF", ""),
                strict=True,
            )
        )
        if extra:
            row.update(RESYNC_RESULT=r.resync, RESYNC_TIME=at(r.minute + 0.5) if r.resync else None)
        values.append(row)
    conn.execute(table.insert(), values)


def insert_exceptions(conn: sa.Connection, schema: str, rows: list[ApplyException]) -> None:
    columns = ("TASK_NAME", "TABLE_OWNER", "TABLE_NAME", "ERROR_TIME", "STATEMENT", "ERROR")
    table = _table("awsdms_apply_exceptions", columns, schema)
    conn.execute(
        table.insert(),
        [
            dict(
                zip(
                    columns,
                    (r.task, "sales", "orders", at(r.minute), "UPDATE ...", "duplicate key"),
                    strict=True,
                )
            )
            for r in rows
        ],
    )
