"""The DMS operations the simulator serves, with the server-side checks real DMS makes.

Each handler takes the live state and the decoded JSON request and returns the JSON response, or
raises SimError. Callers hold ``state.lock``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from bot.sim import endpoints
from bot.sim.errors import invalid_param, invalid_state, not_found
from bot.sim.model import Change, Row
from bot.sim.state import RUNNING, SimState, TaskRuntime
from bot.sim.views import table_items, table_page, task_item

Params = Mapping[str, Any]
Handler = Callable[[SimState, Params], dict[str, Any]]
Filters = dict[str, set[str]]

TASK_FILTERS: dict[str, Callable[[TaskRuntime], tuple[str, ...]]] = {
    "replication-task-arn": lambda t: (t.spec.arn,),
    "replication-task-id": lambda t: (t.spec.identifier,),
    "migration-type": lambda t: (t.spec.migration_type,),
    "endpoint-arn": lambda t: (t.spec.source_endpoint_arn, t.spec.target_endpoint_arn),
    "replication-instance-arn": lambda t: (t.spec.replication_instance_arn,),
}
TABLE_FILTERS = ("schema-name", "table-name", "table-state")
STARTABLE = frozenset({"ready", "stopped", "failed", "failed-move"})
START_TYPES = ("start-replication", "resume-processing", "reload-target")
RELOAD_OPTIONS = ("data-reload", "validate-only")
MAX_RELOAD_TABLES = 10
_TABLE_KEYS = ("SchemaName", "TableName")


def describe_replication_tasks(state: SimState, params: Params) -> dict[str, Any]:
    """Tasks in scenario order, filtered and paged; a filter matching nothing is ResourceNotFoundFault."""
    limit = _max_records(params, high=100)
    filters = _filters(params, tuple(TASK_FILTERS))
    start = _marker_offset(params, "tasks")
    with_settings = not _flag(params, "WithoutSettings")
    tasks = [task for task in state.live_tasks() if _task_matches(task, filters)]
    if filters and not tasks:
        # Inferred from botocore's ReplicationTaskDeleted waiter, which treats this fault as "gone".
        raise not_found("No Replication Tasks found matching the filters")
    now = state.now()
    page = tasks[start : start + limit]
    response: dict[str, Any] = {
        "ReplicationTasks": [task_item(state, task, now, with_settings=with_settings) for task in page]
    }
    if start + limit < len(tasks):
        response["Marker"] = _marker("tasks", start + limit)
    return response


def describe_table_statistics(state: SimState, params: Params) -> dict[str, Any]:
    """One page of a task's tables; unfiltered pages slice the table set instead of scanning it."""
    task = state.task(_required_text(params, "ReplicationTaskArn"))
    limit = _max_records(params, high=500)
    filters = _filters(params, TABLE_FILTERS)
    start = _marker_offset(params, f"tables:{task.spec.arn}")
    now = state.now()
    status = task.state(now).status
    if status == "creating":
        raise invalid_state(f"Replication task {task.spec.identifier} is in state {status}")
    page = table_page(state, task, now)
    tables = task.spec.tables
    if filters:
        rows = (row for row in tables.rows() if _row_matches(row, filters))
        matching = [item for item in table_items(state, task, page, rows) if _state_matches(item, filters)]
        items, total = matching[start : start + limit], len(matching)
    else:
        items, total = table_items(state, task, page, tables.rows(start, start + limit)), len(tables)
    response: dict[str, Any] = {"ReplicationTaskArn": task.spec.arn, "TableStatistics": items}
    if start + limit < total:
        response["Marker"] = _marker(f"tables:{task.spec.arn}", start + limit)
    return response


def describe_endpoints(state: SimState, params: Params) -> dict[str, Any]:
    """The scenario's endpoints, filtered (endpoint-arn, endpoint-id, endpoint-type, engine-name) and paged."""
    limit = _max_records(params, high=100)
    filters = _filters(params, tuple(endpoints.ENDPOINT_FILTERS))
    start = _marker_offset(params, "endpoints")
    found = endpoints.select(state.scenario.endpoints, filters)
    region = state.scenario.region
    response: dict[str, Any] = {
        "Endpoints": [endpoints.endpoint_item(e, region) for e in found[start : start + limit]]
    }
    if start + limit < len(found):
        response["Marker"] = _marker("endpoints", start + limit)
    return response


def reload_tables(state: SimState, params: Params) -> dict[str, Any]:
    """Queue tables for revalidation (or reload); logged in ``state.reloads`` whether accepted or not.

    An unknown table is InvalidParameterValueException (our choice: the UG does not say which fault).
    """
    arn = _required_text(params, "ReplicationTaskArn")
    wanted = params.get("TablesToReload")
    option = params.get("ReloadOption", "data-reload")
    record: dict[str, Any] = {"task_arn": arn, "tables": wanted, "option": option, "at": state.now()}
    record["accepted"] = False
    state.reloads.append(record)
    task = state.task(arn)
    now = state.now()
    queue_reload(state, task, _reload_keys(task, wanted, option, now), option, now)
    record["accepted"] = True
    return {"ReplicationTaskArn": task.spec.arn}


def queue_reload(
    state: SimState, task: TaskRuntime, keys: list[tuple[str, str]], option: object, now: float
) -> None:
    """The tables' revalidation (and, for data-reload, reload) from now until ``revalidate_after``."""
    validated = task.spec.validation
    if validated:
        first: dict[str, Any] = {"validation_state": "Pending revalidation", "failed_records": 0}
        first.update(suspended_records=0, details=None)
        later: dict[str, Any] = {"validation_state": "Validated", "pending_records": 0}
    else:
        first, later = {}, {}
    if option == "data-reload":
        first.update(table_state="Table is being reloaded", _reloaded=True)
        later["table_state"] = "Table completed"
    done = now + state.scenario.revalidate_after
    for key in keys:
        state.add_table_events(task, key, [Change(now, first), Change(done, later)])


def _reload_keys(
    task: TaskRuntime, wanted: object, option: object, now: float, what: str = "replication task"
) -> list[tuple[str, str]]:
    """Check a ReloadTables request the way the model and User Guide describe."""
    if option not in RELOAD_OPTIONS:
        raise invalid_param(f"Invalid ReloadOption {option!r}; expected data-reload or validate-only")
    if not isinstance(wanted, list) or not wanted:
        raise invalid_param("TablesToReload must list at least one table")
    if task.state(now).status != RUNNING:
        raise invalid_state(f"Tables can be reloaded only while the {what} is running")
    if len(wanted) > MAX_RELOAD_TABLES:
        raise invalid_state(f"You can reload up to {MAX_RELOAD_TABLES} tables at a time")
    if option == "validate-only" and not task.spec.validation:
        raise invalid_param(f"validate-only applies only when validation is enabled for the {what}")
    if option == "data-reload" and task.spec.migration_type == "cdc":
        raise invalid_state(f"data-reload needs a full-load or full-load-and-cdc {what}")
    keys: list[tuple[str, str]] = []
    for entry in wanted:
        if not isinstance(entry, Mapping) or not all(isinstance(entry.get(k), str) for k in _TABLE_KEYS):
            raise invalid_param("Each table to reload needs SchemaName and TableName")
        key = (entry["SchemaName"], entry["TableName"])
        if task.spec.tables.find(*key) is None:
            raise invalid_param(f"Table {key[0]}.{key[1]} is not part of {what} {task.spec.identifier}")
        if key in keys:
            raise invalid_param(f"Table {key[0]}.{key[1]} is listed twice")
        keys.append(key)
    return keys


def start_replication_task(state: SimState, params: Params) -> dict[str, Any]:
    """ready/stopped/failed/failed-move -> running (DMS passes through "starting"; we skip it)."""
    task = state.task(_required_text(params, "ReplicationTaskArn"))
    kind = _required_text(params, "StartReplicationTaskType")
    if kind not in START_TYPES:
        raise invalid_param(
            f"Invalid StartReplicationTaskType {kind!r}; expected one of {', '.join(START_TYPES)}"
        )
    now = state.now()
    status = task.state(now).status
    if status not in STARTABLE:
        raise invalid_state(f"Replication task {task.spec.identifier} cannot be started in state {status}")
    if status == "ready" and kind != "start-replication":
        raise invalid_param("start-replication is the only valid type for a task's first run")
    fields = {"status": RUNNING, "stop_reason": None, "last_failure_message": None, "_started": True}
    state.add_task_event(task, now, fields)
    return {"ReplicationTask": task_item(state, task, now, with_settings=True)}


def stop_replication_task(state: SimState, params: Params) -> dict[str, Any]:
    """running -> stopped with "Stop Reason NORMAL"; any other state is InvalidResourceStateFault."""
    task = state.task(_required_text(params, "ReplicationTaskArn"))
    now = state.now()
    status = task.state(now).status
    if status != RUNNING:
        raise invalid_state(f"Replication task {task.spec.identifier} is not running (state {status})")
    state.add_task_event(task, now, {"status": "stopped", "stop_reason": "Stop Reason NORMAL"})
    return {"ReplicationTask": task_item(state, task, now, with_settings=True)}


OPERATIONS: dict[str, Handler] = {
    "DescribeEndpoints": describe_endpoints,
    "DescribeReplicationTasks": describe_replication_tasks,
    "DescribeTableStatistics": describe_table_statistics,
    "ReloadTables": reload_tables,
    "StartReplicationTask": start_replication_task,
    "StopReplicationTask": stop_replication_task,
}


def _required_text(params: Params, key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise invalid_param(f"{key} is required")
    return value


def _flag(params: Params, key: str) -> bool:
    value = params.get(key, False)
    if not isinstance(value, bool):
        raise invalid_param(f"{key} must be a boolean")
    return value


def _max_records(params: Params, *, high: int, low: int = 20, default: int = 100) -> int:
    """MaxRecords within DMS's range; the message copies the RDS family's wording (UNVERIFIED for DMS)."""
    value = params.get("MaxRecords", default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid_param(f"Invalid value for max records. Must be between {low} and {high}")
    return value


def _filters(params: Params, names: tuple[str, ...]) -> Filters:
    """``Filters=[{Name, Values}]``: names ANDed, values ORed; unknown names are rejected."""
    raw = params.get("Filters", [])
    if not isinstance(raw, list):
        raise invalid_param("Filters must be a list")
    filters: Filters = {}
    for entry in raw:
        name = entry.get("Name") if isinstance(entry, Mapping) else None
        values = entry.get("Values") if isinstance(entry, Mapping) else None
        if name not in names:
            raise invalid_param(f"Invalid filter name {name!r}. Valid filters: {', '.join(names)}")
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise invalid_param(f"Filter {name} needs a non-empty list of string values")
        filters[name] = filters[name] & set(values) if name in filters else set(values)
    return filters


def _task_matches(task: TaskRuntime, filters: Filters) -> bool:
    return all(any(v in values for v in TASK_FILTERS[name](task)) for name, values in filters.items())


def _row_matches(row: Row, filters: Filters) -> bool:
    schemas, names = filters.get("schema-name"), filters.get("table-name")
    return (schemas is None or row[0] in schemas) and (names is None or row[1] in names)


def _state_matches(item: Mapping[str, Any], filters: Filters) -> bool:
    states = filters.get("table-state")
    return states is None or item["TableState"] in states


def _marker(scope: str, offset: int) -> str:
    """Opaque to clients, like DMS's: base64 of the listing it continues and where."""
    return base64.urlsafe_b64encode(json.dumps([scope, offset]).encode()).decode("ascii")


def _marker_offset(params: Params, scope: str) -> int:
    marker = params.get("Marker")
    if marker is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(marker).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        decoded = None
    if not isinstance(decoded, list) or len(decoded) != 2 or decoded[0] != scope:
        raise invalid_param("Invalid Marker")
    offset = decoded[1]
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise invalid_param("Invalid Marker")
    return offset
