"""Scenario files (TOML or JSON) into a ``Scenario``; every error names the file and the key."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.sim.durations import parse_duration
from bot.sim.errors import ScenarioError
from bot.sim.model import (
    DAY,
    LATENCY_FIELDS,
    MIGRATION_TYPES,
    TABLE_FIELDS,
    TASK_CHANGE_FIELDS,
    Change,
    EndpointSpec,
    GenBlock,
    Part,
    Row,
    Scenario,
    TableSet,
    TableSpec,
    TaskSpec,
    dms_arn,
)
from bot.sim.task_settings import checked_settings

_TEXT_FIELDS = frozenset({"validation_state", "table_state", "status", "resync_state"})
_CLEARABLE = frozenset({"details", "stop_reason", "last_failure_message"})
_TASK_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,254}")
_ACCOUNT = re.compile(r"\d{12}")
_NOT_STARTED = frozenset({"ready", "creating"})


def load_scenario(path: str | Path) -> Scenario:
    """Read a ``.toml`` or ``.json`` scenario file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text) if source.lower().endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{source}: not valid {Path(path).suffix or 'TOML'}: {exc}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: expected an object at the top level")
    return parse_scenario(data, source)


class _Node:
    """A mapping being read: remembers its path and which keys were used, to name bad keys."""

    def __init__(self, data: object, path: str, source: str) -> None:
        self.path, self.source = path, source
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{source}: {path or 'top level'}: expected a table/object")
        self.data: Mapping[str, Any] = data
        self.used: set[str] = set()

    def error(self, key: str, problem: str) -> ScenarioError:
        where = f"{self.path}.{key}" if self.path else key
        return ScenarioError(f"{self.source}: {where}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        return self.data.get(key, default)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.error(key, "expected a non-empty string" if self.has(key) else "is required")
        return value

    def opt_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def count(self, key: str, default: int | None = None) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, "expected a whole number >= 0" if self.has(key) else "is required")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "expected true or false")
        return value

    def duration(self, key: str, default: float | None = None) -> float:
        if not self.has(key) and default is None:
            raise self.error(key, "is required")
        try:
            return parse_duration(self.get(key, default))
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def stale(self, key: str) -> float | None:
        """``true`` = frozen at scenario start, a duration = frozen that long before it."""
        value = self.get(key, False)
        if isinstance(value, bool):
            return 0.0 if value else None
        return self.duration(key)

    def children(self, key: str) -> list[_Node]:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected a list of tables/objects")
        return [
            _Node(item, f"{self.path + '.' if self.path else ''}{key}[{i}]", self.source)
            for i, item in enumerate(value)
        ]

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key")


def parse_scenario(data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """Validate and build a Scenario from the decoded file."""
    root = _Node(data, "", source)
    sim = _Node(root.get("simulator", {}), "simulator", source)
    region = sim.text("region", "eu-west-1")
    account = sim.text("account", "123456789012")
    if not _ACCOUNT.fullmatch(account):
        raise sim.error("account", "expected 12 digits")
    revalidate_after = sim.duration("revalidate_after", 60.0)
    sim.finish()
    tasks = [_task(node, region, account) for node in root.children("tasks")]
    endpoints = [_endpoint(node, region, account) for node in root.children("endpoints")]
    root.finish()
    seen: set[str] = set()
    for i, task in enumerate(tasks):
        if task.identifier in seen:
            raise ScenarioError(f"{source}: tasks[{i}].id: duplicate task id {task.identifier!r}")
        seen.add(task.identifier)
    ids = [e.identifier for e in endpoints]
    for i, ident in enumerate(ids):
        if ident in ids[:i]:
            raise ScenarioError(f"{source}: endpoints[{i}].id: duplicate endpoint id {ident!r}")
    return Scenario(tuple(tasks), region, account, revalidate_after, source, tuple(endpoints))


def _endpoint(node: _Node, region: str, account: str) -> EndpointSpec:
    """An ``[[endpoints]]`` entry; tasks name it by id in ``source_endpoint`` / ``target_endpoint``."""
    ident = node.text("id")
    if not _TASK_ID.fullmatch(ident):
        raise node.error("id", "expected letters, digits and hyphens, starting with a letter")
    kind = node.text("type", "target").lower()
    if kind not in ("source", "target"):
        raise node.error("type", "expected 'source' or 'target'")
    port = node.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        raise node.error("port", "expected a port number")
    spec = EndpointSpec(
        identifier=ident,
        arn=dms_arn("endpoint", ident, region, account),
        endpoint_type=kind.upper(),
        engine=node.text("engine", "postgres"),
        server=node.opt_text("server"),
        port=port,
        database=node.opt_text("database"),
        username=node.opt_text("username"),
        secret_id=node.opt_text("secret_id"),
    )
    node.finish()
    return spec


def _task(node: _Node, region: str, account: str) -> TaskSpec:
    ident = node.text("id")
    if not _TASK_ID.fullmatch(ident):
        raise node.error("id", "expected letters, digits and hyphens, starting with a letter")
    mtype = node.text("migration_type", "full-load-and-cdc")
    if mtype not in MIGRATION_TYPES:
        raise node.error("migration_type", f"expected one of {', '.join(MIGRATION_TYPES)}")
    status = node.text("status", "running")
    validation = node.flag("validation", True)
    tables = _tables(node, validation)
    instance_id = node.text("replication_instance", "dms-instance-1")
    source, target, instance = (
        dms_arn(kind, name, region, account)
        for kind, name in (
            ("endpoint", node.text("source_endpoint", f"{ident}-source")),
            ("endpoint", node.text("target_endpoint", f"{ident}-target")),
            ("rep", instance_id),
        )
    )
    spec = TaskSpec(
        identifier=ident,
        arn=dms_arn("task", ident, region, account),
        migration_type=mtype,
        status=status,
        validation=validation,
        tables=tables,
        source_endpoint_arn=source,
        target_endpoint_arn=target,
        replication_instance_arn=instance,
        stop_reason=node.opt_text("stop_reason"),
        last_failure_message=node.opt_text("last_failure_message"),
        stale=node.stale("stale"),
        table_mappings=node.opt_text("table_mappings"),
        created_ago=node.duration("created", 30 * DAY),
        started_ago=_started(node, status),
        changes=tuple(_changes(node, TASK_CHANGE_FIELDS, validation=True)),
        replication_instance_id=instance_id,
        task_settings=checked_settings(node.get("task_settings"), node.error),
        **{key: node.duration(key) for key in LATENCY_FIELDS if node.has(key)},
    )
    node.finish()
    return spec


def _tables(node: _Node, validation: bool) -> TableSet:
    """Explicit tables first, then generated blocks; a table may appear only once."""
    parts: list[Part] = [tuple(_explicit(child, validation) for child in node.children("tables"))]
    parts += [_generated(child, validation) for child in node.children("generate")]
    tables = TableSet(parts)
    dup = tables.duplicate()
    if dup:
        raise node.error("tables", f"table {dup[0]}.{dup[1]} is listed twice")
    return tables


def _started(node: _Node, status: str) -> float | None:
    """``started`` is how long before scenario start the task last started, or false for never."""
    value = node.get("started", status not in _NOT_STARTED)
    if isinstance(value, bool):
        return 7 * DAY if value else None
    return node.duration("started")


def _explicit(node: _Node, validation: bool) -> Row:
    schema, name = node.text("schema"), node.text("name")
    spec = _table_spec(node, TableSpec(), validation)
    node.finish()
    return schema, name, spec


def _generated(node: _Node, validation: bool) -> GenBlock:
    count, schema = node.count("count"), node.text("schema")
    prefix = node.text("prefix", "table_")
    template = _table_spec(node, TableSpec(), validation)
    node.finish()
    return GenBlock(count, schema, prefix, template)


def _table_spec(node: _Node, base: TableSpec, validation: bool) -> TableSpec:
    values = _fields(node, TABLE_FIELDS, validation)
    changes = tuple(_changes(node, TABLE_FIELDS, validation))
    return replace(base, **values, stale=node.stale("stale"), changes=changes)


def _fields(node: _Node, names: tuple[str, ...], validation: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in names:
        if not node.has(key):
            continue
        if key in LATENCY_FIELDS:
            values[key] = node.duration(key)
        elif key in _CLEARABLE:
            value = node.get(key)
            if not isinstance(value, str):
                raise node.error(key, "expected a string ('' clears it)")
            values[key] = value or None
        elif key in _TEXT_FIELDS:
            values[key] = node.text(key)
        else:
            values[key] = node.count(key)
    state = values.get("validation_state")
    if not validation and state not in (None, "Not enabled"):
        raise node.error(
            "validation_state", "the task has validation = false, so every table is 'Not enabled'"
        )
    return values


def _changes(node: _Node, names: tuple[str, ...], validation: bool) -> list[Change]:
    changes: list[Change] = []
    for child in node.children("changes"):
        at = child.duration("at")
        values = _fields(child, names, validation)
        if not values:
            raise child.error("at", f"a change needs at least one of {', '.join(names)}")
        child.finish()
        changes.append(Change(at, values))
    return sorted(changes, key=lambda change: change.at)
