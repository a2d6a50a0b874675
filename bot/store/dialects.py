"""The few statements whose spelling differs by backend: SQLAlchemy's dialect ``insert`` has the
``ON CONFLICT`` clauses both SQLite and PostgreSQL understand."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert(dialect: str, table: sa.Table) -> Any:
    """The dialect's INSERT (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def upsert(dialect: str, table: sa.Table, row: dict[str, Any]) -> Any:
    """Insert ``row``, or overwrite every given column of the row with the same primary key."""
    keys = [c.name for c in table.primary_key.columns]
    statement = insert(dialect, table).values(row)
    changes = {name: statement.excluded[name] for name in row if name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)
