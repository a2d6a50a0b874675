"""Which DMS target engines the bot can read, how to reach each with SQLAlchemy, and where DMS keeps
its control tables on each (the User Guide's defaults, overridable per database)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import TargetDbError

POSTGRESQL, MYSQL, SQLITE = "postgresql", "mysql", "sqlite"


@dataclass(frozen=True, slots=True)
class Family:
    """A kind of database the bot reads: its SQLAlchemy driver and DMS's default control schema."""

    name: str
    driver: str
    control_schema: str | None  # None: no schema qualifier (SQLite's main database)


FAMILIES = {
    POSTGRESQL: Family(POSTGRESQL, "postgresql+psycopg", "public"),
    MYSQL: Family(MYSQL, "mysql+pymysql", "awsdms_control"),
    SQLITE: Family(SQLITE, "sqlite", None),  # the demo's stand-in only
}
# DMS EngineName (DescribeEndpoints) -> family.
ENGINES = {
    "postgres": POSTGRESQL,
    "aurora-postgresql": POSTGRESQL,
    "mysql": MYSQL,
    "aurora": MYSQL,
    "mariadb": MYSQL,
}
# URL schemes a [[databases]] entry may use -> the driver SQLAlchemy loads for it.
SCHEMES = {
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "mariadb+pymysql": "mariadb+pymysql",
    "sqlite": "sqlite",
}


def family_for_engine(engine: str) -> Family:
    """The family of a DMS engine name; any other engine is a clear "not supported yet"."""
    name = ENGINES.get(engine.strip().lower())
    if name is None:
        supported = ", ".join(ENGINES)
        raise TargetDbError(
            f"engine {engine} is not supported yet for row-level failures (supported: {supported})",
            kind="unsupported",
        )
    return FAMILIES[name]


def family_for_url(url: URL) -> Family:
    backend = url.get_backend_name()
    return FAMILIES[MYSQL if backend in ("mysql", "mariadb") else backend]


def parse_url(text: str) -> URL:
    """A database URL with the bot's driver for its scheme; ``ValueError`` names what is wrong.

    The message never quotes the URL, which may hold a password.
    """
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ValueError("not a database URL such as postgresql://user@host:5432/db") from None
    driver = SCHEMES.get(url.drivername)
    if driver is None:
        scheme = url.drivername.split("+", 1)[0]
        raise ValueError(f"scheme {scheme}:// is not supported yet (use postgresql:// or mysql://)")
    url = url.set(drivername=driver)
    if driver != "sqlite" and not url.host:
        raise ValueError("the URL names no host")
    return url


def build_url(
    family: Family,
    *,
    username: str | None,
    password: str | None,
    host: str,
    port: int | None,
    database: str | None,
) -> URL:
    """A URL from parts (an endpoint secret, or DescribeEndpoints): no quoting to get wrong."""
    return URL.create(
        family.driver, username=username, password=password, host=host, port=port, database=database
    )
