"""Adopting SQLite files from before Alembic into its history, in the upgrade's own transaction.

Such a file counts the hand-made steps in ``PRAGMA user_version`` (:mod:`bot.store.legacy_schema`).
Its data stays where it is: a file below v4 first gets the missing hand-made steps up to v4; then
the revision matching its version is stamped (v4 = ``0001``, v5 = ``0002``) and Alembic applies the
rest. Adopted and new files get ``user_version`` 100, so a dms-bot from before Alembic refuses them
as "created by a newer version" instead of writing to a schema it does not know.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from bot.errors import StoreError
from bot.store import legacy_schema

STAMPS = {4: "0001", 5: "0002"}  # hand-made schema version -> the Alembic revision it equals
ALEMBIC_ERA = 100


def user_version(conn: sa.Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def adopt_legacy_sqlite(conn: sa.Connection, *, stamp: Callable[[str], None], shown: str) -> None:
    """Stamp a pre-Alembic file's revision (after bringing it to v4); a fresh file is left alone."""
    found = user_version(conn)
    check_legacy(found, shown)
    if found == 0:
        return
    for number in range(found + 1, min(STAMPS) + 1):
        for statement in legacy_schema.MIGRATIONS[number - 1]:
            conn.exec_driver_sql(statement)
    stamp(STAMPS[max(found, min(STAMPS))])


def check_legacy(found: int, shown: str) -> None:
    """Refuse a file without Alembic's table at a version no hand-made migration wrote."""
    if found > max(STAMPS):
        raise StoreError(
            f"{shown} was created by a newer version of dms-bot (schema v{found}, this version "
            f"knows up to v{max(STAMPS)} before Alembic); upgrade dms-bot or point DMS_BOT_DB elsewhere."
        )


def mark_alembic_era(conn: sa.Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA user_version = {ALEMBIC_ERA:d}")
