"""Baseline: the schema as the hand-made migrations left it at v4 (history, alert state, snoozes,
audit, stuck-validation progress, the outbox with leases, meta).

A SQLite file at ``PRAGMA user_version`` 4 is stamped with this revision instead of running it.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import JsonText, UtcDateTime

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

FALSE = sa.false()


def upgrade() -> None:
    _history()
    _verdicts()
    _alert_state()
    _actions()
    _outbox()


def _history() -> None:
    op.create_table(
        "meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text, nullable=False)
    )
    op.create_table(
        "sweeps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("checked_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("tasks", "ok", "warning", "failure", "errors")
        ),
        sa.Column("duration_seconds", sa.Float),
        sqlite_autoincrement=True,
    )
    op.create_index("sweeps_by_time", "sweeps", ["checked_at"])


def _verdicts() -> None:
    op.create_table(
        "verdicts",
        sa.Column("sweep_id", sa.Integer, sa.ForeignKey("sweeps.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("checked_at", UtcDateTime, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("task_arn", sa.Text),
        sa.Column("task_id", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in (
                "tables_total",
                "failed_records",
                "suspended_records",
                "pending_records",
                "problem_tables",
            )
        ),
        sa.Column("reasons", JsonText, nullable=False, server_default="[]"),
        sa.CheckConstraint("verdict IN ('ok', 'warning', 'failure', 'error')", name="verdicts_verdict"),
    )
    op.create_index("verdicts_by_task", "verdicts", ["task_arn", "sweep_id"])


def _alert_state() -> None:
    op.create_table(
        "alerts",
        sa.Column("task_arn", sa.Text, primary_key=True),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("task_id", sa.Text, nullable=False),
        sa.Column("open", sa.Boolean(create_constraint=False), nullable=False, server_default=FALSE),
        sa.Column("incident", sa.Integer, nullable=False, server_default="0"),
        sa.Column("kind", sa.Text, nullable=False, server_default=""),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("problem_tables", JsonText, nullable=False, server_default="[]"),
        *(
            sa.Column(name, UtcDateTime)
            for name in ("opened_at", "resolved_at", "last_seen_at", "last_reminded_at")
        ),
        sa.Column("error_streak", sa.Integer, nullable=False, server_default="0"),
        sa.Column("announced", sa.Boolean(create_constraint=False), nullable=False, server_default=FALSE),
        *(sa.Column(name, sa.Text) for name in ("channel", "message_ts", "acked_by")),
        sa.Column("acked_at", UtcDateTime),
    )


def _actions() -> None:
    """What people and the stuck-validation rule leave behind: snoozes, the audit log, progress."""
    op.create_table(
        "snoozes",
        sa.Column("task_arn", sa.Text, primary_key=True),
        sa.Column("until", UtcDateTime, nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("task_arn", sa.Text),
        sa.Column("detail", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_by_time", "audit", ["at"])
    op.create_table(
        "pending_progress",
        sa.Column("task_arn", sa.Text, primary_key=True),
        sa.Column("table_name", sa.Text, primary_key=True),
        sa.Column("pending", sa.Integer, nullable=False),
        sa.Column("since", UtcDateTime, nullable=False),
    )


def _outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("payload", JsonText, nullable=False),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("last_error", sa.Text),
        sa.Column("result", JsonText),
        sa.Column("done_at", UtcDateTime),
        sa.Column("leased_until", UtcDateTime),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name="outbox_status"),
        sqlite_autoincrement=True,
    )
    pending = sa.text("status = 'pending'")
    op.create_index(
        "outbox_pending", "outbox", ["destination", "id"], sqlite_where=pending, postgresql_where=pending
    )
    op.create_index("outbox_by_time", "outbox", ["created_at"])


def downgrade() -> None:
    for table in ("outbox", "pending_progress", "audit", "snoozes", "alerts", "verdicts", "sweeps", "meta"):
        op.drop_table(table)
