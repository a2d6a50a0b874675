"""Session fixtures: a PostgreSQL and a MariaDB target database holding DMS's failures table.

Registered for every test through ``pytest_plugins`` in ``tests/conftest.py``; each is created on
first use only, so suites that do not ask for a database never touch a server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from tests.support.databases import MYSQL_ENV, POSTGRES_ENV, scratch_database, unique_name
from tests.support.failures_data import MYSQL_DDL, PG_DDL, TASK, Row, create_and_fill

READER_PASSWORD = "reader-Pa55-word"


@dataclass(frozen=True)
class FilledTarget:
    """A target database as the bot sees it: how to connect, where the table is, what it holds."""

    url: URL  # an admin login to the target database
    control_schema: str
    slow_schema: str  # a view of the table that sleeps: for statement timeouts
    rows: list[Row]
    reader_url: URL  # a read-only user (the README's GRANTs)


@pytest.fixture(scope="session")
def postgres_target() -> Iterator[FilledTarget]:
    with scratch_database(POSTGRES_ENV) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        reader = unique_name("dms_reader")
        with engine.begin() as conn:
            data = create_and_fill(conn, PG_DDL, "public", 7800, 7800)
            conn.execute(sa.text("CREATE SCHEMA slow"))
            conn.execute(
                sa.text(
                    "CREATE VIEW slow.awsdms_validation_failures_v1 AS SELECT t.* FROM "
                    "public.awsdms_validation_failures_v1 t CROSS JOIN (SELECT pg_sleep(30)) AS s"
                )
            )
            for grant in (
                f"CREATE ROLE {reader} LOGIN PASSWORD '{READER_PASSWORD}'",
                f"GRANT CONNECT ON DATABASE {url.database} TO {reader}",
                f"GRANT USAGE ON SCHEMA public TO {reader}",
                f"GRANT SELECT ON public.awsdms_validation_failures_v1 TO {reader}",
            ):
                conn.execute(sa.text(grant))
        try:
            yield FilledTarget(
                url, "public", "slow", data, url.set(username=reader, password=READER_PASSWORD)
            )
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP OWNED BY {reader}"))
            engine.dispose()
            _drop_pg_role(url, reader)


def _drop_pg_role(url: URL, role: str) -> None:
    admin = sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


@pytest.fixture(scope="session")
def mysql_target() -> Iterator[FilledTarget]:
    """MariaDB/MySQL: the control schema is a database of its own (``awsdms_control_<random>``)."""
    with (
        scratch_database(MYSQL_ENV, "awsdms_control") as url,
        scratch_database(MYSQL_ENV, "dms_bot_slow") as slow,
    ):
        schema, slow_schema = str(url.database), str(slow.database)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        reader = unique_name("dms_reader")
        with engine.begin() as conn:
            data = create_and_fill(conn, MYSQL_DDL, schema, 10_000, 8000)
            conn.execute(
                sa.text(
                    f"CREATE VIEW {slow_schema}.awsdms_validation_failures_v1 AS SELECT t.* FROM "
                    f"{schema}.awsdms_validation_failures_v1 t WHERE SLEEP(5) = 0"
                )
            )
            conn.execute(sa.text(f"CREATE USER '{reader}'@'%' IDENTIFIED BY '{READER_PASSWORD}'"))
            conn.execute(sa.text(f"GRANT SELECT ON {schema}.awsdms_validation_failures_v1 TO '{reader}'@'%'"))
        try:
            yield FilledTarget(
                url, schema, slow_schema, data, url.set(username=reader, password=READER_PASSWORD)
            )
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP USER IF EXISTS '{reader}'@'%'"))
            engine.dispose()


def copy_rows(target: FilledTarget, task_name: str) -> None:
    """The fixture's rows again under another task's resource id (``task_name``), once per session:
    a simulated task's resource id is derived from its identifier, not the fixture's TASK."""
    quote = '"' if target.url.get_backend_name() == "postgresql" else "`"
    columns = ("TABLE_OWNER", "TABLE_NAME", "FAILURE_TIME", "KEY_TYPE", "KEY", "FAILURE_TYPE", "DETAILS")
    cols = ", ".join(f"{quote}{c}{quote}" for c in columns)
    table = f"{target.control_schema}.awsdms_validation_failures_v1"
    name_col = f"{quote}TASK_NAME{quote}"
    engine = sa.create_engine(target.url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        seen = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {name_col} = :n"), {"n": task_name})
        if not seen.scalar():
            conn.execute(
                sa.text(
                    f"INSERT INTO {table} ({name_col}, {cols}) "
                    f"SELECT :n, {cols} FROM {table} WHERE {name_col} = :t"
                ),
                {"n": task_name, "t": TASK},
            )
    engine.dispose()
