"""Real database servers for tests: one rule for all of them.

The machine's PostgreSQL (127.0.0.1:5432, user postgres, trust) and MariaDB (127.0.0.1:3306, root,
empty password), or the servers ``DMS_BOT_TEST_POSTGRES_URL`` / ``DMS_BOT_TEST_MYSQL_URL`` name.
No server answering: the test is skipped on a laptop, and fails with one line under ``CI=true``.
Each test session gets databases of its own, dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

POSTGRES_ENV, MYSQL_ENV = "DMS_BOT_TEST_POSTGRES_URL", "DMS_BOT_TEST_MYSQL_URL"
DEFAULTS = {
    POSTGRES_ENV: "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    MYSQL_ENV: "mysql+pymysql://root@127.0.0.1:3306/",
}
# Read at import (collection), before any fixture clears DMS_BOT_* from the environment.
SERVER_URLS = {name: os.environ.get(name) or default for name, default in DEFAULTS.items()}
IN_CI = os.environ.get("CI", "").lower() == "true"


def server_url(env_name: str) -> URL:
    """The admin URL of a server (psycopg / PyMySQL drivers)."""
    url = make_url(SERVER_URLS[env_name])
    driver = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql"}
    return url.set(drivername=driver[url.get_backend_name()])


def require_server(env_name: str) -> URL:
    """The server's admin URL when it answers; otherwise skip (fail under CI=true) with one line."""
    url = server_url(env_name)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3}, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        shown = url.render_as_string(hide_password=True)
        message = f"no database server answers at {shown} ({env_name}): {type(getattr(exc, 'orig', None) or exc).__name__}"
        if IN_CI:
            pytest.fail(
                f"CI=true needs the test database servers (.ci/run starts them): {message}", pytrace=False
            )
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def scratch_database(env_name: str, prefix: str = "dms_bot_test") -> Iterator[URL]:
    """A new, empty database on the server (PostgreSQL database / MySQL schema), dropped afterwards."""
    admin_url = require_server(env_name)
    name = unique_name(prefix)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    quoted = admin.dialect.identifier_preparer.quote(name)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            if admin.dialect.name == "postgresql":
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}"))
        admin.dispose()
