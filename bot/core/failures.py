"""Row-level validation failures, as DMS records them in ``awsdms_validation_failures_v1`` and
(engine 3.6.1+, with the result of its data resync) ``awsdms_validation_failures_v2``.

Values only: the database adapter (``bot.targets``) reads the rows, this module gives them meaning.
KEY and DETAILS are parsed leniently: DMS's own DETAILS example is not valid JSON, so nothing here
ever raises on what a column holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RECORD_DIFF = "RECORD_DIFF"
MISSING_SOURCE = "MISSING_SOURCE"
MISSING_TARGET = "MISSING_TARGET"
TABLE_WARNING = "TABLE_WARNING"
FAILURE_TYPES = (RECORD_DIFF, MISSING_SOURCE, MISSING_TARGET, TABLE_WARNING)
_WORDS = {
    RECORD_DIFF: "values differ",
    MISSING_SOURCE: "only on the target",
    MISSING_TARGET: "missing on the target",
    TABLE_WARNING: "table warning",
}
SAMPLE_KEYS = 5  # sample keys kept per table in a summary
_RESYNC_WORDS = {"SUCCESS": "fixed by resync", "FAILURE": "resync failed"}  # v2's RESYNC_RESULT

Key = tuple[str, ...] | str  # the key values when KEY parses, otherwise KEY's raw text


def failure_words(failure_type: str) -> str:
    """Readable words for a FAILURE_TYPE; a type DMS adds later is shown as it is."""
    return _WORDS.get(failure_type, failure_type)


def parse_key(raw: str | None) -> Key:
    """``{"key": ["3451491"]}`` -> ``("3451491",)``; composite keys keep their order; else the raw text."""
    text = raw or ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return text
    values = data.get("key") if isinstance(data, dict) else None
    if isinstance(values, list) and values and all(_scalar(v) for v in values):
        return tuple(_as_text(v) for v in values)
    return text


def parse_details(raw: str | None) -> str:
    """DETAILS as one line of text: JSON is re-serialised compactly, anything else kept as written."""
    text = raw or ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return " ".join(text.split())
    if isinstance(data, dict | list):
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    return " ".join(text.split())


def resync_words(result: str | None) -> str | None:
    """What DMS's data resync did to a v2 row, for people; None when it was not attempted."""
    if not result:
        return None
    return _RESYNC_WORDS.get(result.strip().upper(), f"resync {result.strip().lower()}")


def key_text(key: Key) -> str:
    """A key for people: composite values joined with ", "."""
    return key if isinstance(key, str) else ", ".join(key)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _as_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True, slots=True)
class FailureRow:
    """One failed or suspended record."""

    schema: str
    table: str
    failure_type: str
    key: Key
    failure_time: datetime | None
    details: str
    resync_result: str | None = None  # v2's RESYNC_RESULT (SUCCESS | FAILURE); None: v1, or not tried

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def words(self) -> str:
        return failure_words(self.failure_type)

    @property
    def resync(self) -> str | None:
        """ "fixed by resync" / "resync failed", or None."""
        return resync_words(self.resync_result)


def to_failure_row(
    *,
    schema: Any,
    table: Any,
    failure_type: Any,
    key: Any,
    failure_time: Any,
    details: Any,
    resync_result: Any = None,
) -> FailureRow:
    """A row as the database returned it (any column may be NULL) as a :class:`FailureRow`."""
    when = failure_time if isinstance(failure_time, datetime) else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # DMS writes UTC into a column without a zone
    return FailureRow(
        schema=_text(schema),
        table=_text(table),
        failure_type=_text(failure_type) or "UNKNOWN",
        key=parse_key(_text(key)),
        failure_time=when,
        details=parse_details(_text(details)),
        resync_result=_text(resync_result) or None,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates


@dataclass(frozen=True, slots=True)
class FailurePage:
    """The newest failures matching a question, and counts of every matching row."""

    total: int
    by_type: Mapping[str, int]
    rows: tuple[FailureRow, ...]


@dataclass(frozen=True, slots=True)
class TableFailures:
    """One table's failures in a task summary: counts, and the newest few keys."""

    total: int
    by_type: Mapping[str, int]
    sample_keys: tuple[Key, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskFailures:
    """Every table's failures for one task (one query), keyed by ``schema.table``."""

    tables: Mapping[str, TableFailures] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.tables.values())

    def for_table(self, schema: str, table: str) -> TableFailures | None:
        return self.tables.get(f"{schema}.{table}")


@dataclass(frozen=True, slots=True)
class RowFailures:
    """What a task's target database said about its failed rows: the summary, or why it could not
    be read (a database that cannot be read is said, never shown as an empty list)."""

    summary: TaskFailures | None = None
    error: str | None = None

    def for_table(self, schema: str, table: str) -> TableFailures | None:
        if self.summary is None:
            return None
        return self.summary.for_table(schema, table) or TableFailures(0, {})


def summarise(
    counts: Sequence[tuple[str, str, str, int]], samples: Sequence[tuple[str, str, Key]]
) -> TaskFailures:
    """Build a :class:`TaskFailures` from (schema, table, type, n) counts and newest-first samples."""
    by_table: dict[str, dict[str, int]] = {}
    for schema, table, failure_type, n in counts:
        types = by_table.setdefault(f"{schema}.{table}", {})
        types[failure_type] = types.get(failure_type, 0) + n
    keys: dict[str, list[Key]] = {}
    for schema, table, key in samples:
        kept = keys.setdefault(f"{schema}.{table}", [])
        if len(kept) < SAMPLE_KEYS:
            kept.append(key)
    return TaskFailures(
        {
            name: TableFailures(sum(types.values()), dict(sorted(types.items())), tuple(keys.get(name, ())))
            for name, types in sorted(by_table.items())
        }
    )


def key_json(key: Key) -> str | list[str]:
    return key if isinstance(key, str) else list(key)


def table_document(failures: RowFailures, schema: str, table: str) -> dict[str, Any]:
    """``{"total", "by_type", "sample_keys"}`` for one problem table (``error`` when unreadable)."""
    found = failures.for_table(schema, table)
    if found is None:
        return {"total": None, "by_type": {}, "sample_keys": [], "error": failures.error}
    return {
        "total": found.total,
        "by_type": dict(found.by_type),
        "sample_keys": [key_json(k) for k in found.sample_keys],
    }


def to_json(row: FailureRow) -> dict[str, Any]:
    """One row in the ``failures --format json`` document."""
    return {
        "schema": row.schema,
        "table": row.table,
        "failure_type": row.failure_type,
        "key": key_json(row.key),
        "failure_time": _iso(row.failure_time),
        "details": row.details,
        "resync_result": row.resync_result,
    }


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
