"""The demo's stand-in for a target database: a SQLite file holding DMS's control table,
``awsdms_validation_failures_v1``, laid out as DMS lays it out (upper-case quoted columns), so the
real failed-rows code reads it. Only the demo uses SQLite for this; it starts no database server.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

TABLE = "awsdms_validation_failures_v1"
COLUMNS = (
    "TASK_NAME",
    "TABLE_OWNER",
    "TABLE_NAME",
    "FAILURE_TIME",
    "KEY_TYPE",
    "KEY",
    "FAILURE_TYPE",
    "DETAILS",
)
_KINDS = ("RECORD_DIFF", "RECORD_DIFF", "RECORD_DIFF", "MISSING_TARGET", "MISSING_SOURCE")
_TEXT = sa.Text()


class StandInTarget:
    """A SQLite file at ``path`` with the control table; ``record`` adds failed rows like DMS would."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self.url = f"sqlite:///{path.resolve()}"
        self._table = sa.Table(
            TABLE,
            sa.MetaData(),
            *(sa.Column(sa.sql.elements.quoted_name(c, quote=True), _TEXT) for c in COLUMNS),
        )
        self._engine = sa.create_engine(self.url)
        self._table.metadata.create_all(self._engine)
        self._next_key = 3451480

    def record(self, task_resource_id: str, schema: str, table: str, *, count: int, at: datetime) -> None:
        """``count`` more failed rows of ``schema.table``, the newest at ``at``."""
        rows = []
        for i in range(count):
            kind = _KINDS[(self._next_key + i) % len(_KINDS)]
            when = at - timedelta(seconds=7 * (count - i))
            rows.append(
                dict(
                    zip(
                        COLUMNS,
                        _row(task_resource_id, schema, table, kind, self._next_key + i, when),
                        strict=True,
                    )
                )
            )
        self._next_key += count
        with self._engine.begin() as conn:
            conn.execute(self._table.insert(), rows)

    def close(self) -> None:
        self._engine.dispose()


def _row(task: str, schema: str, table: str, kind: str, key: int, when: datetime) -> tuple[str, ...]:
    details = {
        "RECORD_DIFF": "[[{'AMOUNT': '120.50'}, {'AMOUNT': '120.05'}],]",  # as DMS writes it: not JSON
        "MISSING_TARGET": "",
        "MISSING_SOURCE": "",
    }[kind]
    stamp = when.replace(tzinfo=None).isoformat(sep=" ", timespec="milliseconds")
    return (task, schema, table, stamp, "Row", json.dumps({"key": [str(key)]}), kind, details)
