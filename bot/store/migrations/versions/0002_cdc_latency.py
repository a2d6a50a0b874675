"""Seconds of CDC lag (CloudWatch CDCLatencySource / CDCLatencyTarget) per verdict, for the history
chart; NULL when no datapoint was read, and for every row written before. Hand-made schema v5: a
SQLite file at ``PRAGMA user_version`` 5 is stamped with this revision.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verdicts", sa.Column("cdc_source_seconds", sa.Float))
    op.add_column("verdicts", sa.Column("cdc_target_seconds", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_column("cdc_target_seconds")
        batch.drop_column("cdc_source_seconds")
