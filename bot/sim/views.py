"""DMS response items (ReplicationTask, TableStatistics) built from the live state.

Row counts the scenario leaves out are derived from a CRC of the table name, so generated fleets
look varied but answer identically on every call.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.sim.model import Row
from bot.sim.state import RUNNING, SimState, TaskRuntime, TaskState
from bot.sim.task_settings import resync_items, settings_document

_LOADING = ("Before load", "Full load", "Table is being reloaded")


@dataclass(frozen=True, slots=True)
class TablePage:
    """What every table of one task shares at one instant."""

    now: float
    updated: float  # LastUpdateTime for tables not marked stale
    loaded_from: float | None  # epoch the task's full load started; None without one
    cdc: bool
    live_cdc_seconds: float  # how long CDC has been applying, to grow change counts


def table_page(state: SimState, task: TaskRuntime, now: float) -> TablePage:
    """Compute the per-task context once per request."""
    spec, ts = task.spec, task.state(now)
    start = start_epoch(state, task, ts)
    if spec.stale is not None:
        updated = state.epoch(-spec.stale)
    else:
        updated = state.epoch(now if ts.status == RUNNING else ts.last_running)
    return TablePage(
        now=now,
        updated=updated,
        loaded_from=start if spec.migration_type != "cdc" else None,
        cdc=spec.migration_type != "full-load",
        live_cdc_seconds=max(0.0, ts.last_running) if spec.stale is None else 0.0,
    )


def table_items(
    state: SimState, task: TaskRuntime, page: TablePage, rows: Iterable[Row]
) -> list[dict[str, Any]]:
    """TableStatistics items for ``rows``."""
    return [table_item(state, task, page, row) for row in rows]


def table_item(state: SimState, task: TaskRuntime, page: TablePage, row: Row) -> dict[str, Any]:
    """One TableStatistics item; keys are omitted when DMS would not send them."""
    schema, name, spec = row
    fields = task.table_fields(schema, name, spec, page.now)
    seed = zlib.crc32(f"{schema}.{name}".encode())
    grow = int(page.live_cdc_seconds * ((seed >> 24) % 4)) if page.cdc else 0
    rows = _count(fields["full_load_rows"], 1_000 + seed % 2_000_000 if page.loaded_from else 0)
    item: dict[str, Any] = {
        "SchemaName": schema,
        "TableName": name,
        "Inserts": _count(fields["inserts"], (seed >> 4) % 50_000 if page.cdc else 0) + grow,
        "Deletes": _count(fields["deletes"], (seed >> 14) % 4_000 if page.cdc else 0),
        "Updates": _count(fields["updates"], (seed >> 9) % 120_000 if page.cdc else 0) + 2 * grow,
        "Ddls": _count(fields["ddls"], (seed >> 20) % 3 if page.cdc else 0),
        "FullLoadRows": rows,
        "FullLoadCondtnlChkFailedRows": 0,
        "FullLoadErrorRows": 0,
        "FullLoadReloaded": bool(fields.get("_reloaded")),
        "LastUpdateTime": page.updated if spec.stale is None else state.epoch(-spec.stale),
        "TableState": fields["table_state"],
        "ValidationPendingRecords": fields["pending_records"],
        "ValidationFailedRecords": fields["failed_records"],
        "ValidationSuspendedRecords": fields["suspended_records"],
        "ValidationState": fields["validation_state"],
        **resync_items(fields),
    }
    if fields["details"]:
        item["ValidationStateDetails"] = fields["details"]
    if page.loaded_from is not None and fields["table_state"] != "Before load":
        began = round(page.loaded_from + seed % 900, 3)
        item["FullLoadStartTime"] = began
        if fields["table_state"] not in _LOADING:
            item["FullLoadEndTime"] = round(began + 5 + rows / 20_000, 3)
    return item


def _count(value: int | None, derived: int) -> int:
    return derived if value is None else value


def start_epoch(state: SimState, task: TaskRuntime, ts: TaskState) -> float | None:
    """ReplicationTaskStartDate: the last API start, else the scenario's, else never."""
    if ts.started_at is not None:
        return state.epoch(ts.started_at)
    if task.spec.started_ago is not None:
        return state.epoch(-task.spec.started_ago)
    return None


def task_item(state: SimState, task: TaskRuntime, now: float, *, with_settings: bool) -> dict[str, Any]:
    """One ReplicationTask item; None-valued fields are left out as DMS does."""
    spec, ts = task.spec, task.state(now)
    start = start_epoch(state, task, ts)
    item: dict[str, Any] = {
        "ReplicationTaskIdentifier": spec.identifier,
        "SourceEndpointArn": spec.source_endpoint_arn,
        "TargetEndpointArn": spec.target_endpoint_arn,
        "ReplicationInstanceArn": spec.replication_instance_arn,
        "MigrationType": spec.migration_type,
        "TableMappings": table_mappings(task),
        "ReplicationTaskSettings": settings_document(settings_json(spec.validation), spec.task_settings)
        if with_settings
        else None,
        "Status": ts.status,
        "LastFailureMessage": ts.last_failure_message,
        "StopReason": ts.stop_reason,
        "ReplicationTaskCreationDate": state.epoch(-spec.created_ago),
        "ReplicationTaskStartDate": start,
        "ReplicationTaskArn": spec.arn,
        "ReplicationTaskStats": _stats(state, task, ts, start),
    }
    return {key: value for key, value in item.items() if value is not None}


def _stats(state: SimState, task: TaskRuntime, ts: TaskState, start: float | None) -> dict[str, Any]:
    counts, total = task.table_state_counts(), len(task.spec.tables)
    loaded, errored = counts["Table completed"], counts["Table error"]
    loading, queued = counts["Full load"] + counts["Table is being reloaded"], counts["Before load"]
    full_load = task.spec.migration_type != "cdc"
    stats: dict[str, Any] = {
        "FullLoadProgressPercent": (100 * loaded // total if total else 100) if full_load else 0,
        "ElapsedTimeMillis": 0,
        "TablesLoaded": loaded,
        "TablesLoading": loading,
        "TablesQueued": queued,
        "TablesErrored": errored,
    }
    if start is None:
        return stats
    end = state.epoch(ts.last_running)
    stats.update(FreshStartDate=start, StartDate=start, ElapsedTimeMillis=max(0, int((end - start) * 1000)))
    if full_load:
        stats["FullLoadStartDate"] = start
        if not loading and not queued and end - start >= 1800:
            stats["FullLoadFinishDate"] = round(start + 1800, 3)
    if ts.status in ("stopped", "failed"):
        stats["StopDate"] = end
    return stats


def table_mappings(task: TaskRuntime) -> str:
    """The scenario's TableMappings, or one include rule per schema; computed once per task."""
    cached = task.cache.get("mappings")
    if isinstance(cached, str):
        return cached
    mappings = task.spec.table_mappings or json.dumps(
        {
            "rules": [
                {
                    "rule-type": "selection",
                    "rule-id": str(i),
                    "rule-name": str(i),
                    "object-locator": {"schema-name": schema, "table-name": "%"},
                    "rule-action": "include",
                    "filters": [],
                }
                for i, schema in enumerate(task.spec.tables.schemas(), start=1)
            ]
        }
    )
    task.cache["mappings"] = mappings
    return mappings


@functools.lru_cache(maxsize=2)
def settings_json(validation: bool) -> str:
    """A realistic ReplicationTaskSettings document (the bulk WithoutSettings saves)."""
    return json.dumps(
        {
            "TargetMetadata": {
                "TargetSchema": "",
                "SupportLobs": True,
                "FullLobMode": False,
                "LobChunkSize": 64,
                "LimitedSizeLobMode": True,
                "LobMaxSize": 32,
                "BatchApplyEnabled": False,
            },
            "FullLoadSettings": {
                "TargetTablePrepMode": "DO_NOTHING",
                "CreatePkAfterFullLoad": False,
                "StopTaskCachedChangesApplied": False,
                "StopTaskCachedChangesNotApplied": False,
                "MaxFullLoadSubTasks": 8,
                "TransactionConsistencyTimeout": 600,
                "CommitRate": 10000,
            },
            "Logging": {
                "EnableLogging": True,
                "LogComponents": [
                    {"Id": component, "Severity": "LOGGER_SEVERITY_DEFAULT"}
                    for component in (
                        "SOURCE_UNLOAD",
                        "SOURCE_CAPTURE",
                        "TARGET_LOAD",
                        "TARGET_APPLY",
                        "TASK_MANAGER",
                    )
                ],
            },
            "ControlTablesSettings": {"ControlSchema": "awsdms_control", "HistoryTimeslotInMinutes": 5},
            "ChangeProcessingTuning": {
                "BatchApplyTimeoutMin": 1,
                "BatchApplyTimeoutMax": 30,
                "MemoryLimitTotal": 1024,
            },
            "ValidationSettings": {
                "EnableValidation": validation,
                "ValidationMode": "ROW_LEVEL",
                "ThreadCount": 5,
                "PartitionSize": 10000,
                "FailureMaxCount": 10000,
                "RecordFailureDelayInMinutes": 5,
                "RecordSuspendDelayInMinutes": 30,
                "MaxKeyColumnSize": 8096,
                "TableFailureMaxCount": 1000,
                "ValidationOnly": False,
                "HandleCollationDiff": False,
                "SkipLobColumns": False,
                "ValidationQueryCdcDelaySeconds": 0,
            },
            "ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR", "TableErrorPolicy": "SUSPEND_TABLE"},
        }
    )
