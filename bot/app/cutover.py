"""The cutover gate: may this task's target take over from its source now? (DESIGN.md "The cutover gate")

This service gathers; ``bot.core.cutover_gate.judge`` decides. What one ``assess`` asks:

- DMS (in the budget, interactive priority unless told otherwise): the task by name (the sweep's
  path, ``find_task``), its settings (DescribeReplicationTasks for that one ARN, with settings; for a DMS Serverless
  replication DescribeReplicationConfigs), its
  table statistics (``ceil(tables/500)`` calls), the instance name (cached), the target endpoint
  (DescribeEndpoints, only when a database is configured; cached);
- CloudWatch: one GetMetricData for both latency metrics over the ``steady`` window;
- the target database: v1 + v2 failures and apply exceptions, newer than the cutoff;
- the store: the task's alert, and its last revalidation (the audit log).

Unknown task: :class:`TaskNotFound` with close names. DMS unreachable: the :class:`DmsError` family.
Everything else that cannot be read becomes an ``unknown`` check, never a ``pass``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.app.failed_rows import find_task
from bot.aws.budget import Priority, priority
from bot.core.cutover import Cutoff, IncidentState, LatencyWindow, TargetRows
from bot.core.cutover_gate import GateInputs, judge
from bot.core.models import Task
from bot.core.readiness import Readiness
from bot.core.task_settings import TaskSettings
from bot.errors import BotError, ConfigError, StoreError, TaskNotFound
from bot.settings import CutoverSettings

if TYPE_CHECKING:
    from bot.app.failed_rows import FailedRows
    from bot.app.sweeps import Sweeps, Watched
    from bot.core.alerts import TaskAlert
    from bot.store.base import AuditEntry

log = logging.getLogger(__name__)
REVALIDATED = "revalidate"  # the audit action of a revalidation DMS accepted (bot.app.revalidation.SENT)
AUDIT_HORIZON = timedelta(days=400)
FREEZE = "the write freeze, --since"
EVERY_FAILURE = "every row: no revalidation the bot knows of, and no --since"
EVERY_EXCEPTION = (
    "every row: no --since"  # older than any retention: "the last revalidation the bot knows of"
)


class GateStore(Protocol):
    """What the gate reads from the store (:class:`bot.store.base.Store` is one)."""

    def get_alert(self, task_arn: str, *, for_update: bool = False) -> TaskAlert | None: ...
    def recent_audit(
        self, *, task_arn: str, actions: tuple[str, ...], since: datetime
    ) -> list[AuditEntry]: ...


class CutoverGate:
    """``assess(ref)``: every check with its evidence. ``store`` None: ``store_note`` says why."""

    def __init__(
        self,
        sweeps: Sweeps,
        *,
        settings: CutoverSettings,
        store: GateStore | None,
        clock: Callable[[], datetime],
        store_note: str = "no store is configured",
    ) -> None:
        self.sweeps = sweeps
        self.settings = settings
        self.store = store
        self.clock = clock
        self.store_note = store_note

    def assess(
        self,
        ref: str,
        *,
        max_lag: float | None = None,
        steady: float | None = None,
        since: datetime | None = None,
        level: Priority = Priority.INTERACTIVE,
    ) -> Readiness:
        """The gate's answer for the task ``ref`` (identifier or ARN); ``since`` = the write freeze."""
        lag = self.settings.max_lag if max_lag is None else max_lag
        window = self.settings.steady if steady is None else steady
        with priority(level):
            watched, task = self._find(ref)
            gateway = watched.gateway
            settings = self._settings(watched, task)
            tables = tuple(gateway.table_stats(task.arn))
            latency = self._latency(watched, task, window)
            failures_cutoff = self._failures_cutoff(task, since)
            exceptions_cutoff = Cutoff(since, FREEZE) if since else Cutoff(None, EVERY_EXCEPTION)
            rows = self._rows(watched, task, failures_cutoff, exceptions_cutoff)
        inputs = GateInputs(
            task=task,
            tables=tables,
            settings=settings,
            latency=latency,
            rows=rows,
            incident=self._incident(task),
            failures_cutoff=failures_cutoff,
            exceptions_cutoff=exceptions_cutoff,
            max_lag=lag,
            steady=window,
        )
        return judge(inputs, now=self.clock(), checklist=self.settings.checklist)

    def _settings(self, watched: Watched, task: Task) -> TaskSettings:
        """The task's settings (one DescribeReplicationTasks), or a DMS Serverless replication's, kept
        in its config (one DescribeReplicationConfigs)."""
        return watched.gateway.task_settings(task.arn)

    def _find(self, ref: str) -> tuple[Watched, Task]:
        try:
            return find_task(self.sweeps, ref)
        except ConfigError as exc:  # an unknown name, with close names when there are some
            raise TaskNotFound(str(exc)) from None

    def _latency(self, watched: Watched, task: Task, steady: float) -> LatencyWindow:
        cloudwatch = watched.cloudwatch
        if task.migration_type == "full-load":
            return LatencyWindow()  # no CDC: the check skips, so CloudWatch is not asked
        if cloudwatch is None:
            return LatencyWindow(error="CloudWatch is not read for this target")
        try:
            instances = watched.gateway.instance_ids([task.replication_instance_arn])
            series = cloudwatch.series_of(task, instances)
            if series is None:
                return LatencyWindow(error=f"CloudWatch has no CDC lag series for this {task.kind.noun}")
            return cloudwatch.latency_window(task, series, seconds=steady)
        except BotError as exc:
            return LatencyWindow(error=f"CDC lag could not be read: {exc}")

    def _failures_cutoff(self, task: Task, since: datetime | None) -> Cutoff:
        """The later of the write freeze (``since``) and the task's last revalidation the bot knows of."""
        found = [Cutoff(since, FREEZE)] if since is not None else []
        found += self._last_revalidation(task)
        if not found:
            return Cutoff(None, EVERY_FAILURE)
        return max(found, key=lambda c: c.at.timestamp() if c.at else 0.0)

    def _last_revalidation(self, task: Task) -> list[Cutoff]:
        """The audit log's newest revalidation DMS accepted for the task; none when it cannot be read
        (then every row counts: stricter, never a false ready)."""
        if self.store is None:
            return []
        try:
            entries = self.store.recent_audit(
                task_arn=task.arn, actions=(REVALIDATED,), since=self.clock() - AUDIT_HORIZON
            )
        except StoreError as exc:
            log.warning("revalidations of %s not read: %s", task.identifier, exc)
            return []
        if not entries:
            return []
        last = max(entries, key=lambda e: e.at)
        return [Cutoff(last.at, f"the revalidation by {last.user_id}: older rows were superseded")]

    def _rows(self, watched: Watched, task: Task, failures: Cutoff, exceptions: Cutoff) -> TargetRows:
        rows: FailedRows | None = self.sweeps.failed_rows
        if rows is None or not rows.enabled:
            return TargetRows(not_configured="no [[databases]] entry for the task's target")
        return rows.gate_rows(watched, task, failures_after=failures.at, exceptions_after=exceptions.at)

    def _incident(self, task: Task) -> IncidentState:
        if self.store is None:
            return IncidentState(known=False, absent=True, why_unknown=self.store_note)
        try:
            alert = self.store.get_alert(task.arn)
        except StoreError as exc:
            return IncidentState(known=False, why_unknown=f"the bot's alerts could not be read: {exc}")
        if alert is None or not alert.open:
            return IncidentState(known=True)
        return IncidentState(known=True, open=True, summary=alert.summary, since=alert.opened_at)
