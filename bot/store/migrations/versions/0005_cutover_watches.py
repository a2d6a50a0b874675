"""Cutover watches ("Tell me when ready"): stored, so a restart or a failover keeps watching.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cutover_watches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_arn", sa.Text, nullable=False),
        sa.Column("task_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("started_by", sa.Text, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("ready", sa.Boolean(create_constraint=False)),
        sa.Column("checked_at", UtcDateTime),
        sa.Column("changes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("ended", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "cutover_watches_one_active",
        "cutover_watches",
        ["task_arn"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("cutover_watches_one_active", table_name="cutover_watches")
    op.drop_table("cutover_watches")
