"""The old name of the store, kept so code written before PostgreSQL support keeps importing it.

:class:`bot.store.sql.SqlStore` serves SQLite and PostgreSQL alike; new code names that.
"""

from __future__ import annotations

from bot.store.sql import SqlStore

SqliteStore = SqlStore

__all__ = ["SqliteStore"]
