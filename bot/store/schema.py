"""The store's tables, once, for every backend (SQLAlchemy Core).

This is the schema at Alembic's head revision; the revisions in :mod:`bot.store.migrations` build it
step by step, and a test compares the two on both backends. Two portable types carry the round-trip
rules: :class:`UtcDateTime` (ISO-8601 UTC text on SQLite, as files written before Alembic hold it;
``timestamptz`` on PostgreSQL) and :class:`JsonText` (JSON as text on both, because ``jsonb``
refuses the ``\\u0000`` that hostile DMS strings can carry).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware datetimes in, UTC datetimes out; naive ones are refused (a caller's bug)."""

    impl = sa.String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.DateTime(timezone=True))
        return dialect.type_descriptor(sa.String(32))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the store needs timezone-aware datetimes, got naive {value!r}")
        utc = value.astimezone(UTC)
        # fixed-width text sorts and compares as time does
        return utc if dialect.name == "postgresql" else utc.isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.astimezone(UTC)


class JsonText(sa.types.TypeDecorator[Any]):
    """Any JSON value, stored as compact JSON text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

sweeps = sa.Table(
    "sweeps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("checked_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("tasks", sa.Integer, nullable=False),
    sa.Column("ok", sa.Integer, nullable=False),
    sa.Column("warning", sa.Integer, nullable=False),
    sa.Column("failure", sa.Integer, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("duration_seconds", sa.Float),
    sa.Index("sweeps_by_time", "checked_at"),
    sqlite_autoincrement=True,
)

verdicts = sa.Table(
    "verdicts",
    metadata,
    sa.Column("sweep_id", sa.Integer, sa.ForeignKey("sweeps.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("checked_at", UtcDateTime, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("task_arn", sa.Text),
    sa.Column("task_id", sa.Text, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("tables_total", sa.Integer, nullable=False),
    sa.Column("failed_records", sa.Integer, nullable=False),
    sa.Column("suspended_records", sa.Integer, nullable=False),
    sa.Column("pending_records", sa.Integer, nullable=False),
    sa.Column("problem_tables", sa.Integer, nullable=False),
    sa.Column("reasons", JsonText, nullable=False, server_default="[]"),
    sa.Column("cdc_source_seconds", sa.Float),
    sa.Column("cdc_target_seconds", sa.Float),
    sa.CheckConstraint("verdict IN ('ok', 'warning', 'failure', 'error')", name="verdicts_verdict"),
    sa.Index("verdicts_by_task", "task_arn", "sweep_id"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("task_arn", sa.Text, primary_key=True),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("task_id", sa.Text, nullable=False),
    sa.Column("open", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
    sa.Column("incident", sa.Integer, nullable=False, server_default="0"),
    sa.Column("kind", sa.Text, nullable=False, server_default=""),
    sa.Column("summary", sa.Text, nullable=False, server_default=""),
    sa.Column("problem_tables", JsonText, nullable=False, server_default="[]"),
    sa.Column("opened_at", UtcDateTime),
    sa.Column("resolved_at", UtcDateTime),
    sa.Column("last_seen_at", UtcDateTime),
    sa.Column("last_reminded_at", UtcDateTime),
    sa.Column("error_streak", sa.Integer, nullable=False, server_default="0"),
    sa.Column("announced", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()),
    sa.Column("channel", sa.Text),
    sa.Column("message_ts", sa.Text),
    sa.Column("acked_by", sa.Text),
    sa.Column("acked_at", UtcDateTime),
)

snoozes = sa.Table(
    "snoozes",
    metadata,
    sa.Column("task_arn", sa.Text, primary_key=True),
    sa.Column("until", UtcDateTime, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("task_arn", sa.Text),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("audit_by_time", "at"),
    sqlite_autoincrement=True,
)

pending_progress = sa.Table(
    "pending_progress",
    metadata,
    sa.Column("task_arn", sa.Text, primary_key=True),
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("pending", sa.Integer, nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
)

# AUTOINCREMENT: ids are never reused after a prune, so "ordered by id" stays "ordered by age".
# A lease is kept apart from the retry schedule, so a restart can tell "was being sent when the last
# run died" (send it now) from "waiting for its backoff" (keep waiting).
outbox = sa.Table(
    "outbox",
    metadata,
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
    sa.Column("leased_epoch", sa.BigInteger),  # the leader's epoch that leased it (NULL on SQLite)
    sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name="outbox_status"),
    sa.Index(
        "outbox_pending",
        "destination",
        "id",
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    ),
    sa.Index("outbox_by_time", "created_at"),
)

# One row per lease (only "leader" today). PostgreSQL only: SQLite has one process (its file lock).
# ``epoch`` is the fencing token: +1 at every change of holder, checked by every fenced write.
leadership = sa.Table(
    "leadership",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("holder", sa.Text, nullable=False),
    sa.Column("epoch", sa.BigInteger, nullable=False),
    sa.Column("acquired_at", UtcDateTime, nullable=False),
    sa.Column("renewed_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

# One row per (account, region): the DMS API budget that every replica's calls share (PostgreSQL;
# SQLite has one process, whose bucket stays in memory). ``tokens`` as of ``updated_at``, on the
# database's clock, so the replicas' host clocks never enter into it.
dms_budget = sa.Table(
    "dms_budget",
    metadata,
    sa.Column("account", sa.Text, primary_key=True),
    sa.Column("region", sa.Text, primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# "Tell me when ready" (``/dms ready TASK watch``): one row per watch, kept after it ends. At most
# one watch per task is active (``ended_at`` NULL), which the partial unique index enforces on both
# backends. ``ready`` is the gate's answer as of ``checked_at`` (NULL: not judged yet); ``changes``
# counts the answer's turns, so each turn's post has an outbox key of its own.
cutover_watches = sa.Table(
    "cutover_watches",
    metadata,
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
    sa.Column("ended", sa.Text),  # why: "expired"
    sa.Index(
        "cutover_watches_one_active",
        "task_arn",
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    ),
    sqlite_autoincrement=True,
)
