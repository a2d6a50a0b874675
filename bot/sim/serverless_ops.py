"""The DMS Serverless operations: DescribeReplications, DescribeReplicationConfigs,
DescribeReplicationTableStatistics and ReloadReplicationTables (plus StartReplication and
StopReplication, for tests that drive a replication through its states).

They share the account's token bucket with the task operations (the engine takes one token per
request, whatever the operation). Paging is DMS's: ``MaxRecords`` and an opaque ``Marker``. botocore
has no paginators for these operations, so clients follow ``Marker`` themselves.

What the model leaves open, and what the simulator does about it (all UNVERIFIED against real DMS):
- MaxRecords: the model documents no bounds; the simulator applies the task operations' ones
  (DescribeReplications / DescribeReplicationConfigs 20..100, table statistics 20..500, default 100).
- Filter names: DescribeReplications documents ``replication-config-arn | replication-config-id``; the
  simulator accepts the same two on DescribeReplicationConfigs (Terraform uses the ARN one there) and
  DescribeTableStatistics' ``schema-name | table-name | table-state`` on the table statistics.
- A filter that matches nothing is ResourceNotFoundFault, as for DescribeReplicationTasks.
- A deprovisioned (or never provisioned) replication has no table statistics: an empty
  ``ReplicationTableStatistics`` list (the UG says the metadata is "lost", not which answer comes back).
- ReloadReplicationTables takes at most 10 tables, like ReloadTables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.sim.errors import invalid_param, invalid_state, not_found
from bot.sim.ops import (
    START_TYPES,
    TABLE_FILTERS,
    Filters,
    _filters,
    _marker,
    _marker_offset,
    _max_records,
    _reload_keys,
    _required_text,
    _row_matches,
    _state_matches,
    queue_reload,
)
from bot.sim.replications_views import config_item, replication_item
from bot.sim.serverless import GONE, ReplicationRuntime
from bot.sim.state import RUNNING, SimState
from bot.sim.views import table_items, table_page

Params = Mapping[str, Any]
STARTABLE = frozenset({"created", "ready", "stopped", "failed"})
REPLICATION_FILTERS: dict[str, Callable[[ReplicationRuntime], str]] = {
    "replication-config-arn": lambda r: r.spec.arn,
    "replication-config-id": lambda r: r.spec.identifier,
}


def live_replications(state: SimState) -> list[ReplicationRuntime]:
    """Replications not deleted, in scenario order."""
    return [r for r in state.replications if not r.deleted]


def find_replication(state: SimState, arn: object) -> ReplicationRuntime:
    """The live replication whose config has this ARN, or ResourceNotFoundFault."""
    found = state.lookup(arn) if isinstance(arn, str) else None
    if not isinstance(found, ReplicationRuntime) or found.spec.arn != arn or found.deleted:
        raise not_found("Replication Config not found")
    return found


def describe_replications(state: SimState, params: Params) -> dict[str, Any]:
    """Replications in scenario order, filtered and paged (one per config)."""
    found, start, limit = _listing(state, params, "replications")
    now = state.now()
    response: dict[str, Any] = {
        "Replications": [replication_item(state, r, now) for r in found[start : start + limit]]
    }
    if start + limit < len(found):
        response["Marker"] = _marker("replications", start + limit)
    return response


def describe_replication_configs(state: SimState, params: Params) -> dict[str, Any]:
    """Replication configs in scenario order, filtered and paged."""
    found, start, limit = _listing(state, params, "replication-configs")
    response: dict[str, Any] = {
        "ReplicationConfigs": [config_item(state, r) for r in found[start : start + limit]]
    }
    if start + limit < len(found):
        response["Marker"] = _marker("replication-configs", start + limit)
    return response


def describe_replication_table_statistics(state: SimState, params: Params) -> dict[str, Any]:
    """One page of a replication's tables; none once it is deprovisioned (or before it is provisioned)."""
    replication = find_replication(state, _required_text(params, "ReplicationConfigArn"))
    limit = _max_records(params, high=500)
    filters = _filters(params, TABLE_FILTERS)
    scope = f"replication-tables:{replication.spec.arn}"
    start = _marker_offset(params, scope)
    now = state.now()
    response: dict[str, Any] = {
        "ReplicationConfigArn": replication.spec.arn,
        "ReplicationTableStatistics": [],
    }
    if replication.provisioning(now).provision_state in GONE:
        return response  # UNVERIFIED: an empty list, not a fault (see the module docstring)
    items, total = _table_page(state, replication, filters, start, limit)
    response["ReplicationTableStatistics"] = items
    if start + limit < total:
        response["Marker"] = _marker(scope, start + limit)
    return response


def reload_replication_tables(state: SimState, params: Params) -> dict[str, Any]:
    """Queue tables for revalidation (or reload); logged in ``state.reloads`` (``op`` says which
    operation) whether accepted or not. Only a running replication accepts: else
    InvalidResourceStateFault, as the model documents."""
    arn = _required_text(params, "ReplicationConfigArn")
    wanted = params.get("TablesToReload")
    option = params.get("ReloadOption", "data-reload")
    record: dict[str, Any] = {"task_arn": arn, "tables": wanted, "option": option, "at": state.now()}
    record.update(accepted=False, op="ReloadReplicationTables")
    state.reloads.append(record)
    replication = find_replication(state, arn)
    now = state.now()
    keys = _reload_keys(replication, wanted, option, now, what="replication")
    queue_reload(state, replication, keys, option, now)
    record["accepted"] = True
    return {"ReplicationConfigArn": replication.spec.arn}


def start_replication(state: SimState, params: Params) -> dict[str, Any]:
    """created/stopped/failed -> running, provisioned (DMS passes through initializing ... and
    provisioning_capacity; the simulator skips them). A deprovisioned replication is provisioned again."""
    replication = find_replication(state, _required_text(params, "ReplicationConfigArn"))
    kind = _required_text(params, "StartReplicationType")
    if kind not in START_TYPES:
        raise invalid_param(
            f"Invalid StartReplicationType {kind!r}; expected one of {', '.join(START_TYPES)}"
        )
    now = state.now()
    status = replication.state(now).status
    if status not in STARTABLE:
        raise invalid_state(f"Replication {replication.spec.identifier} cannot be started in state {status}")
    fields = {"status": RUNNING, "stop_reason": None, "failure_messages": (), "_started": True}
    state.add_task_event(replication, now, {**fields, "provision_state": "provisioned"})
    return {"Replication": replication_item(state, replication, now)}


def stop_replication(state: SimState, params: Params) -> dict[str, Any]:
    """running -> stopped with "Stop Reason NORMAL", still provisioned (StopReplication "doesn't
    deprovision"); any other state is InvalidResourceStateFault."""
    replication = find_replication(state, _required_text(params, "ReplicationConfigArn"))
    now = state.now()
    status = replication.state(now).status
    if status != RUNNING:
        raise invalid_state(f"Replication {replication.spec.identifier} is not running (state {status})")
    state.add_task_event(replication, now, {"status": "stopped", "stop_reason": "Stop Reason NORMAL"})
    return {"Replication": replication_item(state, replication, now)}


def _listing(state: SimState, params: Params, scope: str) -> tuple[list[ReplicationRuntime], int, int]:
    limit = _max_records(params, high=100)
    filters = _filters(params, tuple(REPLICATION_FILTERS))
    start = _marker_offset(params, scope)
    found = [
        r
        for r in live_replications(state)
        if all(REPLICATION_FILTERS[name](r) in values for name, values in filters.items())
    ]
    if filters and not found:
        raise not_found("No replications found matching the filters")  # UNVERIFIED, as for tasks
    return found, start, limit


def _table_page(
    state: SimState, replication: ReplicationRuntime, filters: Filters, start: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    now = state.now()
    page = table_page(state, replication, now)
    tables = replication.spec.tables
    if not filters:
        return table_items(state, replication, page, tables.rows(start, start + limit)), len(tables)
    rows = (row for row in tables.rows() if _row_matches(row, filters))
    matching = [item for item in table_items(state, replication, page, rows) if _state_matches(item, filters)]
    return matching[start : start + limit], len(matching)


OPERATIONS: dict[str, Callable[[SimState, Params], dict[str, Any]]] = {
    "DescribeReplications": describe_replications,
    "DescribeReplicationConfigs": describe_replication_configs,
    "DescribeReplicationTableStatistics": describe_replication_table_statistics,
    "ReloadReplicationTables": reload_replication_tables,
    "StartReplication": start_replication,
    "StopReplication": stop_replication,
}
