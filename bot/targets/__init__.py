"""Read-only access to DMS target databases, for the row-level validation failures DMS records in
``awsdms_validation_failures_v1``/``_v2`` and the cutover gate's ``awsdms_apply_exceptions``.
SQLAlchemy Core; psycopg 3 for PostgreSQL, PyMySQL for MySQL/MariaDB; a SQLite stand-in for the demo."""

from __future__ import annotations

from bot.targets.connect import TargetDatabase
from bot.targets.lookup import FailureSources
from bot.targets.reader import FailuresReader

__all__ = ["FailureSources", "FailuresReader", "TargetDatabase"]
