"""Alembic revisions on both backends: a fresh database reaches the head, the revisions build exactly
the schema of :mod:`bot.store.schema`, a second start changes nothing, a newer schema is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.core.alerts import TaskAlert
from bot.errors import StoreError
from bot.store import schema
from bot.store.migrations import head
from bot.store.sql import SqlStore
from tests.unit.store.peek import count, engine_for


def test_the_revisions_build_exactly_the_declared_schema(
    open_store: Callable[..., SqlStore], store_location: str
) -> None:
    """What autogenerate would write for a new revision is nothing: schema.py and versions/ agree."""
    open_store().close()
    engine = engine_for(store_location)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_the_diff_check_is_not_vacuous(open_store: Callable[..., SqlStore], store_location: str) -> None:
    """A column in schema.py that no revision adds shows up as a difference."""
    open_store().close()
    extended = sa.MetaData()
    for table in schema.metadata.tables.values():
        table.to_metadata(extended)
    extended.tables["meta"].append_column(sa.Column("extra", sa.Text))
    engine = engine_for(store_location)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), extended)
    finally:
        engine.dispose()
    assert [d[0] for d in differences] == ["add_column"]


def test_reopening_at_the_head_changes_nothing(
    open_store: Callable[..., SqlStore], store_location: str
) -> None:
    """Migrations run once; a second start finds nothing to do and keeps the data."""
    store = open_store()
    store.set_meta("k", "v")
    store.close()
    again = open_store()
    assert again.revision == head() and again.get_meta("k") == "v"
    assert count(store_location, "alembic_version") == 1


def test_a_database_from_a_newer_dms_bot_is_refused(
    open_store: Callable[..., SqlStore], store_location: str
) -> None:
    """An unknown revision is a StoreError saying so; the database is left as it was."""
    open_store().close()
    engine = engine_for(store_location)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"created by a newer version of dms-bot.*9999"):
        open_store()


def test_alerts_table_has_a_column_for_every_taskalert_field(store: SqlStore, store_location: str) -> None:
    """Adding a TaskAlert field without a revision fails here, not in production."""
    engine = engine_for(store_location)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("alerts")}
    finally:
        engine.dispose()
    assert columns == {f.name for f in fields(TaskAlert)}
