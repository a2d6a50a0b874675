"""The simulator's live state: the scenario plus what API calls and faults have done to it since."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from bot.sim.errors import not_found
from bot.sim.model import LATENCY_FIELDS, Change, Scenario, TableSpec, TaskSpec

RUNNING = "running"


@dataclass(frozen=True, slots=True)
class TaskState:
    """A task's status fields at one scenario instant."""

    status: str
    stop_reason: str | None
    last_failure_message: str | None
    last_running: float  # scenario time it was last seen running (0 = scenario start)
    started_at: float | None  # scenario time of the last StartReplicationTask, if any
    cdc_latency_source: float | None = None  # what CloudWatch reports while running
    cdc_latency_target: float | None = None


class TaskRuntime:
    """One task: its immutable spec, plus start/stop events and per-table reload events."""

    def __init__(self, spec: TaskSpec) -> None:
        self.spec = spec
        self.deleted = False
        self.events: list[Change] = []
        self.table_events: dict[tuple[str, str], list[Change]] = {}
        self.cache: dict[str, Any] = {}  # derived strings (TableMappings) computed once
        self._counts: Counter[str] | None = None

    def state(self, now: float) -> TaskState:
        """Fold the scenario's task changes and the API's events up to ``now``."""
        spec = self.spec
        status, reason, failure = spec.status, spec.stop_reason, spec.last_failure_message
        # A task not running at start last ran at scenario start, or earlier if marked stale.
        last_running, started_at = -(spec.stale or 0.0), None
        lag = {"cdc_latency_source": spec.cdc_latency_source, "cdc_latency_target": spec.cdc_latency_target}
        for change in sorted(chain(spec.changes, self.events), key=_at):
            if change.at > now:
                break
            fields = change.fields
            new_status = fields.get("status", status)
            if status == RUNNING and new_status != RUNNING:
                last_running = change.at
            status = new_status
            reason = fields.get("stop_reason", reason)
            failure = fields.get("last_failure_message", failure)
            if fields.get("_started"):
                started_at = change.at
            lag.update((key, fields[key]) for key in LATENCY_FIELDS if key in fields)
        if status == RUNNING:
            last_running = now
        return TaskState(status, reason, failure, last_running, started_at, **lag)

    def table_fields(self, schema: str, name: str, spec: TableSpec, now: float) -> dict[str, Any]:
        """A table's effective fields at ``now``: its spec, then its changes and reloads in time order."""
        fields: dict[str, Any] = {
            "validation_state": spec.validation_state,
            "table_state": spec.table_state,
            "failed_records": spec.failed_records,
            "suspended_records": spec.suspended_records,
            "pending_records": spec.pending_records,
            "details": spec.details,
            "inserts": spec.inserts,
            "updates": spec.updates,
            "deletes": spec.deletes,
            "ddls": spec.ddls,
            "full_load_rows": spec.full_load_rows,
            "resync_state": spec.resync_state,
            "resync_rows_attempted": spec.resync_rows_attempted,
            "resync_rows_succeeded": spec.resync_rows_succeeded,
            "resync_rows_failed": spec.resync_rows_failed,
        }
        changes: Iterable[Change] = spec.changes
        extra = self.table_events.get((schema, name)) if self.table_events else None
        if extra:
            changes = sorted(chain(spec.changes, extra), key=_at)
        for change in changes:
            if change.at > now:
                break
            fields.update(change.fields)
        if not self.spec.validation:
            fields["validation_state"] = "Not enabled"
        elif fields["validation_state"] is None:
            fields["validation_state"] = "Validated"
        return fields

    def table_state_counts(self) -> Counter[str]:
        """Starting TableState counts, computed once (they feed ReplicationTaskStats)."""
        if self._counts is None:
            self._counts = self.spec.tables.table_state_counts()
        return self._counts


class SimState:
    """All tasks, the scenario clock and the reload log, guarded by one lock for handler threads."""

    def __init__(self, scenario: Scenario, now: Callable[[], float], epoch0: float) -> None:
        self.scenario = scenario
        self.now = now
        self.epoch0 = epoch0
        self.lock = threading.RLock()
        self.tasks = [TaskRuntime(spec) for spec in scenario.tasks]
        self._by_ref: dict[str, TaskRuntime] = {}
        for task in self.tasks:
            self._by_ref[task.spec.arn] = task
            self._by_ref.setdefault(task.spec.identifier, task)
        self.reloads: list[dict[str, Any]] = []

    def epoch(self, scenario_seconds: float) -> float:
        """Wall-clock epoch seconds of a scenario instant (start = when the server started)."""
        return round(self.epoch0 + scenario_seconds, 3)

    def lookup(self, ref: str) -> TaskRuntime | None:
        """A task by ARN or identifier, deleted or not (fault rules name tasks either way)."""
        return self._by_ref.get(ref)

    def task(self, arn: object) -> TaskRuntime:
        """The live task with this ARN, or DMS's ResourceNotFoundFault."""
        task = self._by_ref.get(arn) if isinstance(arn, str) else None
        if task is None or task.deleted or task.spec.arn != arn:
            raise not_found()
        return task

    def live_tasks(self) -> list[TaskRuntime]:
        """Tasks not deleted, in scenario order."""
        return [task for task in self.tasks if not task.deleted]

    def delete(self, ref: str) -> bool:
        """Make a task disappear (fault injection); False when no such task."""
        with self.lock:
            task = self.lookup(ref)
            if task is None:
                return False
            task.deleted = True
            return True

    def add_task_event(self, task: TaskRuntime, at: float, fields: dict[str, Any]) -> None:
        """Record a start/stop at scenario time ``at`` (the request's now)."""
        task.events.append(Change(at, fields))

    def add_table_events(self, task: TaskRuntime, key: tuple[str, str], changes: list[Change]) -> None:
        """Record a reload's effect on one table (now, and when revalidation completes)."""
        task.table_events.setdefault(key, []).extend(changes)


def _at(change: Change) -> float:
    return change.at
