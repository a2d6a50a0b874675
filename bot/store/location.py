"""Where the store lives: ``DMS_BOT_DB`` is a file path (SQLite) or a ``postgresql://`` URL.

Everything that names the database in a message uses :attr:`Location.shown`, the path or the URL
with its password masked, so a password never reaches a log, an exception or ``doctor``'s output.
The password may also be left out of the URL: libpq then reads ``PGPASSWORD`` or ``~/.pgpass``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import StoreError

MEMORY = ":memory:"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True, slots=True)
class Location:
    backend: str  # SQLITE | POSTGRESQL
    target: str  # the SQLite path, or the full URL (password included: never print it)
    shown: str  # what messages print

    @property
    def url(self) -> URL:
        """The SQLAlchemy URL (psycopg 3 driver for PostgreSQL)."""
        if self.backend == SQLITE:
            return URL.create("sqlite")
        return make_url(self.target).set(drivername="postgresql+psycopg")

    @property
    def is_file(self) -> bool:
        return self.backend == SQLITE and self.target != MEMORY


def is_url(value: str | Path) -> bool:
    return "://" in str(value)


def locate(value: str | Path) -> Location:
    """Parse ``DMS_BOT_DB``; a URL of another kind is a StoreError (it could only be a typo)."""
    text = str(value)
    if not is_url(text):
        return Location(SQLITE, text, text)
    scheme = text.split("://", 1)[0].lower()
    if scheme not in _POSTGRES_SCHEMES:
        raise StoreError(
            f"DMS_BOT_DB (store.path) must be a file path or a postgresql:// URL, not a {scheme}:// URL."
        )
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise StoreError(
            "DMS_BOT_DB (store.path) is not a valid postgresql:// URL; "
            "expected postgresql://user[:password]@host[:port]/database."
        ) from None
    return Location(POSTGRESQL, text, url.render_as_string(hide_password=True))
