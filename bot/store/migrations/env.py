"""Alembic's environment: always online, on the connection (and transaction) the bot hands over in
``config.attributes["connection"]``; see :func:`bot.store.migrations.upgrade`."""

from __future__ import annotations

from alembic import context

from bot.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # for `alembic revision --autogenerate`
)
with context.begin_transaction():
    context.run_migrations()
