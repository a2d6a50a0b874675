"""The verdict policy (DESIGN.md, "Verdict policy").

Tables are consumed one at a time, so a task with 50,000 tables costs no more memory than one
with 50: only counters and the worst ``problem_table_cap`` tables are kept.

``LastUpdateTime`` is deliberately not a rule. DescribeTableStatistics documents it as "the time
that DMS last updated the table statistics record for a table. It does not indicate the time of the
last update to the table" (reference/dms-api.md section 10): a quiet source leaves it days old on a
healthy task, and no documented value of it means "DMS stopped looking". A running task that stops
making progress shows in CloudWatch's CDC latency instead (see :mod:`bot.core.latency`). The newest
value is still kept on the verdict (``stats_updated_at``) as information, never as a finding.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.core.models import Policy, PolicyMode, ProblemTable, TableStats, Task, TaskVerdict, Verdict

VALIDATED = "Validated"
NOT_ENABLED = "Not enabled"
MISSING = "(missing)"

# Every ValidationState DMS documents, as DMS spells it.
KNOWN_VALIDATION_STATES = (
    "Not enabled",
    "Pending records",
    "Mismatched records",
    "Suspended records",
    "No primary key",
    "Table error",
    "Validated",
    "Error",
    "Pending validation",
    "Preparing table",
    "Pending revalidation",
)
_VALIDATION_STATES: dict[str, Verdict] = {
    "validated": Verdict.OK,
    "pending records": Verdict.OK,
    "pending validation": Verdict.OK,
    "preparing table": Verdict.OK,
    "pending revalidation": Verdict.OK,
    "no primary key": Verdict.WARNING,
    "mismatched records": Verdict.FAILURE,
    "suspended records": Verdict.FAILURE,
    "table error": Verdict.FAILURE,
    "error": Verdict.FAILURE,
}
_TABLE_STATES: dict[str, Verdict] = {
    "table completed": Verdict.OK,
    "before load": Verdict.OK,
    "full load": Verdict.OK,
    "table is being reloaded": Verdict.OK,
    "table cancelled": Verdict.WARNING,
    "table does not exist": Verdict.WARNING,
    "table error": Verdict.FAILURE,
}
_FAILED_STATUSES = frozenset({"failed", "failed-move"})
_TRANSIENT_STATUSES = frozenset(
    {"ready", "creating", "starting", "stopping", "modifying", "moving", "testing", "deleting", "created"}
)
# A DMS Serverless replication's start-up, state by state (reference/dms-serverless.md §1c): it can
# take tens of minutes, and none of it is a fault yet.
STARTING_STATUSES = frozenset(
    {
        "initializing",
        "preparing_metadata_resources",
        "testing_connection",
        "fetching_metadata",
        "calculating_capacity",
        "provisioning_capacity",
        "replication_starting",
    }
)
_FULL_LOAD_FINISHED = "FULL_LOAD_ONLY_FINISHED"
MAX_PENDING_TRACKED = 5000  # per task: bounds memory on huge tasks; stuck tracking covers these

Finding = tuple[Verdict, str]
# Among equally frequent problems, the ones engineers act on first come first.
_LABEL_RANK = {
    label: rank
    for rank, label in enumerate(
        ("Mismatched records", "Suspended records", "Table error", "Error", "with failed validation records")
    )
}


def _state_finding(state: str | None, known: dict[str, Verdict], kind: str) -> Finding:
    if state is None:
        return Verdict.WARNING, f"with no {kind} state"
    verdict = known.get(state.casefold())
    if verdict is None:
        return Verdict.WARNING, f"with unknown {kind} state “{state}”"
    return verdict, state


def classify_table(table: TableStats, mode: PolicyMode = PolicyMode.DEFAULT) -> Finding:
    """The worst thing about one table, as (verdict, label). Labels read after "N tables ..."."""
    findings: list[Finding] = []
    if table.validation_state is not None and table.validation_state.casefold() == NOT_ENABLED.casefold():
        findings.append((Verdict.OK, NOT_ENABLED))  # judged once per task, see TableAggregator
    else:
        findings.append(_state_finding(table.validation_state, _VALIDATION_STATES, "validation"))
    findings.append(_state_finding(table.table_state, _TABLE_STATES, "table"))
    if table.failed_records > 0:
        findings.append((Verdict.FAILURE, "with failed validation records"))
    if table.suspended_records > 0:
        findings.append((Verdict.FAILURE, "with suspended validation records"))
    if table.counts_unreadable:
        findings.append((Verdict.WARNING, "with unreadable record counts"))
    if mode is PolicyMode.STRICT and table.validation_state != VALIDATED:
        findings.append((Verdict.FAILURE, f"not Validated ({table.validation_state or 'no state'})"))
    worst = max(f[0] for f in findings)
    return next(f for f in findings if f[0] is worst)


def classify_task(task: Task) -> list[Finding]:
    """Task-level findings from its status, stop reason and failure messages.

    The same table judges a task and a DMS Serverless replication: their statuses barely overlap,
    and where they do (running, stopped, failed) they mean the same. Only the noun differs.
    """
    findings = [_status_finding(task)] if task.status != "running" else []
    if task.status != "running":
        if task.failure_messages:
            findings += [(Verdict.FAILURE, f"failure: {message}") for message in task.failure_messages]
        elif task.last_failure_message:
            findings.append((Verdict.FAILURE, f"last failure: {task.last_failure_message}"))
    if task.deprovisioned:
        findings.append((Verdict.WARNING, statistics_gone(task.deprovisioned_at)))
    return [f for f in findings if f[0] is not Verdict.OK]


def _status_finding(task: Task) -> Finding:
    status, noun = task.status, task.kind.noun
    if status in _FAILED_STATUSES:
        return Verdict.FAILURE, f"{noun} {status}"
    if status == "stopped":
        if _FULL_LOAD_FINISHED in (task.stop_reason or "") and task.migration_type in ("full-load", ""):
            return Verdict.OK, f"{noun} finished its full load"
        reason = (task.stop_reason or "").removeprefix("Stop Reason ").strip()
        return Verdict.FAILURE, f"{noun} stopped ({reason})" if reason else f"{noun} stopped"
    if status in STARTING_STATUSES:
        return Verdict.WARNING, f"starting: {status.replace('_', ' ')}"
    if status in _TRANSIENT_STATUSES:
        return Verdict.WARNING, f"{noun} {status}"
    return Verdict.WARNING, f"unknown {noun} status “{status}”"


def statistics_gone(when: datetime | None) -> str:
    """A deprovisioned replication's table statistics are gone: nothing vouches for its tables now."""
    on = f" on {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if when else ""
    return f"statistics gone: deprovisioned{on}"


class TableAggregator:
    """Folds table statistics, page by page, into what a verdict needs."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.total = 0
        self.by_validation_state: dict[str, int] = {}
        self.failed_records = 0
        self.suspended_records = 0
        self.pending_records = 0
        self.problem_total = 0
        self.pending_tables: dict[str, int] = {}
        self.latest_update: datetime | None = None
        self._labels: dict[str, tuple[Verdict, int]] = {}
        self._worst: list[tuple[tuple[int, int, int, int], ProblemTable]] = []

    def add(self, table: TableStats) -> None:
        self.total += 1
        key = table.validation_state or MISSING
        self.by_validation_state[key] = self.by_validation_state.get(key, 0) + 1
        self.failed_records += table.failed_records
        self.suspended_records += table.suspended_records
        self.pending_records += table.pending_records
        if table.pending_records > 0 and len(self.pending_tables) < MAX_PENDING_TRACKED:
            self.pending_tables[table.name] = table.pending_records
        if table.last_update_time and (
            self.latest_update is None or table.last_update_time > self.latest_update
        ):
            self.latest_update = table.last_update_time
        verdict, label = classify_table(table, self.policy.mode)
        if verdict is Verdict.OK:
            return
        self.problem_total += 1
        seen = self._labels.get(label, (verdict, 0))
        self._labels[label] = (max(seen[0], verdict), seen[1] + 1)
        self._keep(table, verdict, label)

    def _keep(self, table: TableStats, verdict: Verdict, label: str) -> None:
        cap = self.policy.problem_table_cap
        if cap <= 0:
            return
        rank = (
            int(verdict),
            table.failed_records + table.suspended_records,
            table.pending_records,
            -self.total,
        )
        problem = ProblemTable(
            schema=table.schema,
            table=table.table,
            verdict=verdict,
            reason=label,
            validation_state=table.validation_state,
            table_state=table.table_state,
            failed_records=table.failed_records,
            suspended_records=table.suspended_records,
            pending_records=table.pending_records,
            validation_state_details=table.validation_state_details,
            resync=table.resync,
        )
        if len(self._worst) < cap:
            heapq.heappush(self._worst, (rank, problem))
        elif rank > self._worst[0][0]:
            heapq.heapreplace(self._worst, (rank, problem))

    def findings(self) -> list[Finding]:
        """Table-level findings, worst and most frequent first."""
        out: list[tuple[Verdict, int, str]] = [(v, n, label) for label, (v, n) in self._labels.items()]
        out.sort(key=lambda f: (-f[0], -f[1], _LABEL_RANK.get(f[2], len(_LABEL_RANK)), f[2]))
        findings: list[Finding] = [
            (v, f"{n} {'table' if n == 1 else 'tables'} {label}") for v, n, label in out
        ]
        not_enabled = self.by_validation_state.get(NOT_ENABLED, 0)
        if self.total and not_enabled == self.total and self.policy.mode is PolicyMode.DEFAULT:
            findings.append((Verdict.WARNING, "validation not enabled on this task"))
        return findings

    def worst_tables(self) -> tuple[ProblemTable, ...]:
        return tuple(p for _, p in sorted(self._worst, key=lambda item: item[0], reverse=True))

    def verdict(self, task: Task, *, target: str, now: datetime) -> TaskVerdict:
        findings = classify_task(task) + self.findings()
        verdict = max((f[0] for f in findings), default=Verdict.OK)
        reasons = tuple(text for v, text in sorted(findings, key=lambda f: -f[0]) if v is not Verdict.OK)
        return TaskVerdict(
            target=target,
            task=task,
            verdict=verdict,
            reasons=reasons,
            tables_total=self.total,
            by_validation_state=dict(sorted(self.by_validation_state.items())),
            problem_tables=self.worst_tables(),
            problem_tables_total=self.problem_total,
            checked_at=now,
            failed_records=self.failed_records,
            suspended_records=self.suspended_records,
            pending_records=self.pending_records,
            pending_tables=self.pending_tables,
            stats_updated_at=self.latest_update,
        )


def evaluate(
    task: Task,
    tables: Iterable[TableStats],
    *,
    now: datetime,
    policy: Policy | None = None,
    target: str = "",
) -> TaskVerdict:
    """Judge one task from its description and its table statistics (consumed lazily).

    A deprovisioned replication's statistics are gone (DMS drops them with its capacity), so they
    are not asked for: the verdict says so instead of calling an empty table list healthy.
    """
    aggregator = TableAggregator(policy)
    for table in () if task.deprovisioned else tables:
        aggregator.add(table)
    return aggregator.verdict(task, target=target, now=now)
