"""DMS's validation failures table laid out as DMS does, and rows to fill it with.

PostgreSQL (observed DDL): quoted upper-case columns in ``public``, ``"FAILURE_TIME" timestamp``,
``"KEY"``/``"DETAILS" varchar(7800)``. MySQL/MariaDB (User Guide): ``awsdms_control`` with
``DATETIME(3)``, ``KEY TEXT``, ``DETAILS VARCHAR(8000)``. SQLite: the demo's stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

TASK = "QJ7GS4UVCLH2XKFC6W3YOVX5EBAN6BBEJTOGWJQ"  # a task's resource id (last ARN segment)
DECOY = "DECOYTASKRESOURCEID0000000000000000000"
T0 = datetime(2026, 11, 26, 9, 0, 0, 123000)
HOSTILE_KEY = '{"key": ["<!channel>", "*bold* _it_ ~s~ `code` <http://evil.example|click>"]}'
UG_DETAILS = "[[{'MYREAL': '+1.10106036e-01'}, {'MYREAL': '+1.10106044e-01'}],]"

PG_DDL = """CREATE TABLE {schema}.awsdms_validation_failures_v1 (
  "TASK_NAME" varchar(128) NOT NULL, "TABLE_OWNER" varchar(128) NOT NULL,
  "TABLE_NAME" varchar(128) NOT NULL, "FAILURE_TIME" timestamp NOT NULL,
  "KEY_TYPE" varchar(128) NOT NULL, "KEY" varchar(7800) NOT NULL,
  "FAILURE_TYPE" varchar(128) NOT NULL, "DETAILS" varchar(7800) NOT NULL)"""
MYSQL_DDL = """CREATE TABLE {schema}.awsdms_validation_failures_v1 (
  TASK_NAME VARCHAR(128) NOT NULL, TABLE_OWNER VARCHAR(128) NOT NULL,
  TABLE_NAME VARCHAR(128) NOT NULL, FAILURE_TIME DATETIME(3) NOT NULL,
  KEY_TYPE VARCHAR(128) NOT NULL, `KEY` TEXT NOT NULL,
  FAILURE_TYPE VARCHAR(128) NOT NULL, DETAILS VARCHAR(8000) NOT NULL
) DEFAULT CHARSET=utf8mb4"""
SQLITE_DDL = """CREATE TABLE awsdms_validation_failures_v1 (
  "TASK_NAME" TEXT NOT NULL, "TABLE_OWNER" TEXT NOT NULL, "TABLE_NAME" TEXT NOT NULL,
  "FAILURE_TIME" TIMESTAMP NOT NULL, "KEY_TYPE" TEXT NOT NULL, "KEY" TEXT NOT NULL,
  "FAILURE_TYPE" TEXT NOT NULL, "DETAILS" TEXT NOT NULL)"""
COLUMNS = (
    "TASK_NAME",
    "TABLE_OWNER",
    "TABLE_NAME",
    "FAILURE_TIME",
    "KEY_TYPE",
    "KEY",
    "FAILURE_TYPE",
    "DETAILS",
)


@dataclass(frozen=True)
class Row:
    task: str
    owner: str
    table: str
    minute: int  # FAILURE_TIME = T0 + minutes
    key: str
    kind: str
    details: str = ""

    @property
    def time(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


def rows(long_key: int, long_details: int) -> list[Row]:
    """The task's rows (every failure type, hostile values) and a decoy task's; newest = highest minute.

    ``long_key``/``long_details``: the longest text the engine's columns hold (10,000 is "10k
    characters"; PostgreSQL's columns stop at 7,800, MySQL's DETAILS at 8,000).
    """
    task = [
        Row(TASK, "sales", "orders", m, f'{{"key": ["{1000 + m}"]}}', "RECORD_DIFF", UG_DETAILS)
        for m in range(1, 8)
    ]
    task += [
        Row(TASK, "sales", "orders", 10, '{"key": ["2001"]}', "MISSING_TARGET"),
        Row(TASK, "sales", "orders", 11, '{"key": ["2002"]}', "MISSING_TARGET"),
        Row(TASK, "sales", "orders", 12, '{"key": ["3001"]}', "MISSING_SOURCE"),
        Row(
            TASK,
            "sales",
            "order_lines",
            13,
            '{"key": ["7", "eu-west"]}',
            "RECORD_DIFF",
            '[[{"QTY": 1}, {"QTY": 2}]]',
        ),
        Row(TASK, "sales", "order_lines", 14, HOSTILE_KEY, "RECORD_DIFF", "<!here> *all* rows differ"),
        Row(TASK, "sales", "order_lines", 15, "9" * long_key, "MISSING_TARGET", "x" * long_details),
        Row(TASK, "sales", "order_lines", 16, "{not json", "MISSING_SOURCE", "{'also': not json"),
        Row(TASK, "crm", "contacts", 17, "{}", "TABLE_WARNING", "Table has no primary key columns"),
    ]
    decoys = [Row(DECOY, "sales", "orders", 30 + m, f'{{"key": ["{m}"]}}', "RECORD_DIFF") for m in range(5)]
    return task + decoys


def create_and_fill(
    conn: sa.Connection, ddl: str, schema: str | None, long_key: int, long_details: int
) -> list[Row]:
    """Create the table with ``ddl`` (``{schema}`` filled) and insert :func:`rows`; returns them."""
    conn.execute(sa.text(ddl.format(schema=schema)))
    data = rows(long_key, long_details)
    insert_rows(conn, schema, data)
    return data


def insert_rows(conn: sa.Connection, schema: str | None, data: list[Row]) -> None:
    table = sa.table(
        "awsdms_validation_failures_v1",
        *(sa.column(sa.sql.elements.quoted_name(c, quote=True)) for c in COLUMNS),
        schema=schema,
    )
    conn.execute(
        table.insert(),
        [
            dict(
                zip(COLUMNS, (r.task, r.owner, r.table, r.time, "Row", r.key, r.kind, r.details), strict=True)
            )
            for r in data
        ],
    )
