"""SQLAlchemy engines for target databases: small pools, read-only sessions, a statement timeout.

Every connection is made read-only and time-boxed by the server itself, so even a query the bot
did not mean to send could neither write nor run long:
- PostgreSQL: ``-c statement_timeout=… -c default_transaction_read_only=on`` at connect time;
- MariaDB: ``SET SESSION max_statement_time`` (seconds); MySQL: ``max_execution_time`` (ms);
  both ``SET SESSION TRANSACTION READ ONLY``;
- SQLite (the demo's stand-in): ``PRAGMA query_only``; it has no statement timeout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from bot.targets.engines import MYSQL, POSTGRESQL, SQLITE, Family, family_for_url

POOL_SIZE = 2  # connections per endpoint, at most
POOL_RECYCLE = 300.0  # seconds: an older connection is replaced at checkout, never reused stale
APPLICATION_NAME = "dms-validation-bot"


@dataclass(frozen=True, slots=True)
class TargetDatabase:
    """Where one task's failures live and how to read them. ``repr`` hides the URL's password."""

    endpoint: str  # the DMS endpoint identifier (or what the config named)
    endpoint_arn: str | None
    engine: str  # DMS's EngineName when known, else the URL's family
    url: URL
    control_schema: str | None
    statement_timeout: float = 5.0
    row_limit: int = 1000

    @property
    def family(self) -> Family:
        return family_for_url(self.url)

    @property
    def shown_url(self) -> str:
        return self.url.render_as_string(hide_password=True)


def create_target_engine(db: TargetDatabase) -> sa.Engine:
    """An engine with at most two pooled connections, each read-only and time-boxed."""
    family = db.family.name
    timeout = db.statement_timeout
    if family == SQLITE:
        engine = sa.create_engine(db.url)
        sa.event.listen(engine, "connect", _sqlite_read_only)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": max(2, math.ceil(timeout))}
    if family == POSTGRESQL:
        options = f"-c statement_timeout={math.ceil(timeout * 1000)} -c default_transaction_read_only=on"
        connect_args.update(options=options, application_name=APPLICATION_NAME)
    elif family == MYSQL:
        connect_args["read_timeout"] = math.ceil(timeout) + 5  # a backstop if the server ignores it
    engine = sa.create_engine(
        db.url,
        pool_size=POOL_SIZE,
        max_overflow=0,
        pool_timeout=max(timeout, 1.0),
        pool_recycle=POOL_RECYCLE,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    if family == MYSQL:
        sa.event.listen(engine, "connect", _mysql_session(timeout))
    return engine


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only = ON")


def _mysql_session(timeout: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        mariadb = "mariadb" in str(dbapi_connection.get_server_info()).lower()
        with dbapi_connection.cursor() as cursor:
            if mariadb:
                cursor.execute(f"SET SESSION max_statement_time = {float(timeout):.3f}")
            else:
                cursor.execute(f"SET SESSION max_execution_time = {math.ceil(timeout * 1000)}")
            cursor.execute("SET SESSION TRANSACTION READ ONLY")

    return configure
