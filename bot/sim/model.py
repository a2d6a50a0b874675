"""Immutable scenario model: tasks and their tables, compact enough for fleets of 250,000 tables.

Generated tables are never materialised: a ``GenBlock`` answers "the i-th table" on demand, and a
``TableSet`` slices across blocks by position, so serving one page costs the page, not the task.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TABLE_FIELDS = (
    "validation_state",
    "table_state",
    "failed_records",
    "suspended_records",
    "pending_records",
    "details",
    "inserts",
    "updates",
    "deletes",
    "ddls",
    "full_load_rows",
    "resync_state",  # the Resync* fields (bot.sim.task_settings): sent only when declared
    "resync_rows_attempted",
    "resync_rows_succeeded",
    "resync_rows_failed",
)
TASK_CHANGE_FIELDS = (
    "status",
    "stop_reason",
    "last_failure_message",
    "cdc_latency_source",
    "cdc_latency_target",
)
LATENCY_FIELDS = ("cdc_latency_source", "cdc_latency_target")
MIGRATION_TYPES = ("full-load", "cdc", "full-load-and-cdc")
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Change:
    """Field values that apply once scenario time reaches ``at`` (seconds)."""

    at: float
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table's starting statistics; ``None`` counts are derived from the table name."""

    validation_state: str | None = None  # None: "Validated", or "Not enabled" when validation is off
    table_state: str = "Table completed"
    failed_records: int = 0
    suspended_records: int = 0
    pending_records: int = 0
    details: str | None = None
    inserts: int | None = None
    updates: int | None = None
    deletes: int | None = None
    ddls: int | None = None
    full_load_rows: int | None = None
    resync_state: str | None = None  # None (and the counts None): no Resync* fields, as before 3.6.1
    resync_rows_attempted: int | None = None
    resync_rows_succeeded: int | None = None
    resync_rows_failed: int | None = None
    stale: float | None = None  # stats froze this many seconds before scenario start; None = live
    changes: tuple[Change, ...] = ()


Row = tuple[str, str, TableSpec]


@dataclass(frozen=True, slots=True)
class GenBlock:
    """``count`` tables named ``<prefix><number>`` sharing one template, with sparse overrides."""

    count: int
    schema: str
    prefix: str
    template: TableSpec
    overrides: Mapping[int, TableSpec] = field(default_factory=dict)

    def name(self, index: int) -> str:
        """Zero-padded so names sort the way they are listed."""
        width = max(3, len(str(self.count)))
        return f"{self.prefix}{index + 1:0{width}d}"

    def row(self, index: int) -> Row:
        """The index-th generated table."""
        return self.schema, self.name(index), self.overrides.get(index, self.template)


Part = tuple[Row, ...] | GenBlock


class TableSet:
    """A task's tables in listing order, sliceable by position without scanning."""

    __slots__ = ("_ends", "_index", "_parts")

    def __init__(self, parts: Sequence[Part] = ()) -> None:
        self._parts: tuple[Part, ...] = tuple(p for p in parts if _part_len(p))
        ends, total = [], 0
        for part in self._parts:
            total += _part_len(part)
            ends.append(total)
        self._ends: list[int] = ends
        self._index: dict[tuple[str, str], TableSpec] | None = None

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[Row]:
        """Rows ``start``..``stop`` (exclusive), touching only the parts that overlap."""
        stop = len(self) if stop is None else min(stop, len(self))
        pos = bisect.bisect_right(self._ends, start)
        while start < stop and pos < len(self._parts):
            part, base = self._parts[pos], self._ends[pos] - _part_len(self._parts[pos])
            end = min(stop, self._ends[pos])
            for i in range(start - base, end - base):
                yield part.row(i) if isinstance(part, GenBlock) else part[i]
            start, pos = end, pos + 1

    def find(self, schema: str, name: str) -> TableSpec | None:
        """Look a table up by name; the index is built on first use (reloads only)."""
        if self._index is None:
            self._index = {(s, n): spec for s, n, spec in self.rows()}
        return self._index.get((schema, name))

    def duplicate(self) -> tuple[str, str] | None:
        """The first (schema, table) listed twice, if any."""
        seen: set[tuple[str, str]] = set()
        for schema, name, _ in self.rows():
            if (schema, name) in seen:
                return schema, name
            seen.add((schema, name))
        return None

    def schemas(self) -> list[str]:
        """Distinct schema names in listing order, for the task's TableMappings."""
        found: dict[str, None] = {}
        for part in self._parts:
            if isinstance(part, GenBlock):
                found[part.schema] = None
            else:
                found.update((schema, None) for schema, _, _ in part)
        return list(found)

    def table_state_counts(self) -> Counter[str]:
        """Starting TableState counts without materialising generated tables."""
        counts: Counter[str] = Counter()
        for part in self._parts:
            if isinstance(part, GenBlock):
                counts[part.template.table_state] += part.count - len(part.overrides)
                counts.update(spec.table_state for spec in part.overrides.values())
            else:
                counts.update(spec.table_state for _, _, spec in part)
        return counts


def _part_len(part: Part) -> int:
    return part.count if isinstance(part, GenBlock) else len(part)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One replication task as the scenario starts it."""

    identifier: str
    arn: str
    migration_type: str
    status: str
    validation: bool
    tables: TableSet
    source_endpoint_arn: str
    target_endpoint_arn: str
    replication_instance_arn: str
    stop_reason: str | None = None
    last_failure_message: str | None = None
    stale: float | None = None
    table_mappings: str | None = None
    created_ago: float = 30 * DAY
    started_ago: float | None = 7 * DAY  # None: never started
    changes: tuple[Change, ...] = ()
    replication_instance_id: str = "dms-instance-1"  # the identifier behind replication_instance_arn
    # Seconds CloudWatch reports as CDCLatencySource/Target while the task runs; None = no datapoints.
    cdc_latency_source: float | None = None
    cdc_latency_target: float | None = None
    task_settings: Mapping[str, Any] | None = None  # merged into ReplicationTaskSettings

    def emits_latency(self) -> bool:
        """Whether CloudWatch ever has CDC latency datapoints for this task (ListMetrics)."""
        if self.cdc_latency_source is not None or self.cdc_latency_target is not None:
            return True
        return any(key in change.fields for change in self.changes for key in LATENCY_FIELDS)


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """One DMS endpoint as DescribeEndpoints serves it."""

    identifier: str
    arn: str
    endpoint_type: str = "TARGET"  # SOURCE | TARGET
    engine: str = "postgres"
    server: str | None = None
    port: int | None = None
    database: str | None = None
    username: str | None = None
    secret_id: str | None = None  # SecretsManagerSecretId in the engine's settings block


@dataclass(frozen=True)
class Scenario:
    """Everything a simulator serves: an account/region, its replication tasks and endpoints."""

    tasks: tuple[TaskSpec, ...]
    region: str = "eu-west-1"
    account: str = "123456789012"
    revalidate_after: float = 60.0
    source: str = "<dict>"
    endpoints: tuple[EndpointSpec, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
        """Parse the TOML/JSON shape; raises ScenarioError naming ``source`` and the key."""
        from bot.sim.scenario import parse_scenario

        return parse_scenario(data, source)

    def instances(self) -> dict[str, str]:
        """Replication instances the tasks run on, ARN -> identifier, in first-use order."""
        return {task.replication_instance_arn: task.replication_instance_id for task in self.tasks}

    def table_count(self) -> int:
        """Tables across all tasks."""
        return sum(len(task.tables) for task in self.tasks)


def resource_id(kind: str, name: str, region: str, account: str) -> str:
    """A stable uppercase DMS-style resource id (base32, like real ARNs) derived from the name."""
    digest = hashlib.sha256(f"{account}/{region}/{kind}/{name}".encode()).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=")[:39]


def dms_arn(kind: str, name: str, region: str, account: str) -> str:
    """``arn:aws:dms:<region>:<account>:<kind>:<RESOURCEID>``."""
    return f"arn:aws:dms:{region}:{account}:{kind}:{resource_id(kind, name, region, account)}"
