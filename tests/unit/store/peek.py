"""Looking at a store's database from another connection, the way an operator's tool would."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.location import locate


def engine_for(location: str) -> sa.Engine:
    """A plain engine on the same database (SQLite file or PostgreSQL URL), nothing shared."""
    where = locate(location)
    url = where.url if where.backend == "postgresql" else f"sqlite:///{where.target}"
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def count(location: str, table: str) -> int | None:
    """Rows in ``table`` as another connection sees them; None when the table does not exist."""
    engine = engine_for(location)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                return None
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()
