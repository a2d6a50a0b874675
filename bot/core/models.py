"""Typed, frozen views over what DMS returns, and the verdicts the bot derives from them.

Nothing here talks to AWS, Slack or the clock: values in, values out.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.failures import RowFailures

LAG_UNREADABLE = "cloudwatch"  # TaskError.kind: a target's CDC lag could not be read from CloudWatch
# TaskError.kind: a target's tasks were listed, but its DMS Serverless replications could not be.
SERVERLESS_UNLISTED = "serverless_listing"


class Verdict(enum.IntEnum):
    """Health of a task or table. Ordered, so ``max()`` gives the worst."""

    OK = 0
    WARNING = 1
    FAILURE = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:
        return self.label


class TaskKind(enum.StrEnum):
    """What kind of DMS object is watched: a replication task, or a DMS Serverless replication.

    Everything above the gateway is kind-agnostic; only the words and the DMS calls differ.
    """

    TASK = "task"
    SERVERLESS = "serverless"  # identifier = ReplicationConfigIdentifier, arn = ReplicationConfigArn

    @property
    def noun(self) -> str:
        """What DMS calls it, in a reason such as "replication failed"."""
        return "replication" if self is TaskKind.SERVERLESS else "task"


def kind_of_arn(arn: str) -> TaskKind:
    """``arn:aws:dms:<region>:<account>:replication-config:<id>`` is Serverless; anything else a task."""
    parts = arn.split(":")
    return TaskKind.SERVERLESS if len(parts) > 5 and parts[5] == "replication-config" else TaskKind.TASK


class PolicyMode(enum.StrEnum):
    DEFAULT = "default"
    STRICT = "strict"  # the original tool's rule: any table not "Validated" is a failure


@dataclass(frozen=True, slots=True)
class Policy:
    """How strictly to judge, and how much detail to keep per task."""

    mode: PolicyMode = PolicyMode.DEFAULT
    problem_table_cap: int = 50
    stuck_after: float | None = 7200.0  # seconds pending records may stay flat before "validation stuck"
    # Seconds of CDC lag (CloudWatch CDCLatencySource/Target) above which a running task is a
    # warning / a failure; None turns the rule off.
    cdc_latency_warning: float | None = 600.0
    cdc_latency_failure: float | None = 3600.0


@dataclass(frozen=True, slots=True)
class Task:
    """One watched replication: a task (DescribeReplicationTasks) or, with ``kind`` SERVERLESS, a DMS
    Serverless replication (DescribeReplications; ``identifier``/``arn`` are its config's)."""

    identifier: str
    arn: str
    status: str
    migration_type: str = ""
    stop_reason: str | None = None
    last_failure_message: str | None = None
    replication_instance_arn: str | None = None
    start_date: datetime | None = None
    target_endpoint_arn: str | None = None
    # Every message DMS gave for the failure (a replication's FailureMessages; a task has at most
    # one, in ``last_failure_message``, which for a replication holds the last of these).
    failure_messages: tuple[str, ...] = ()
    # DMS deprovisioned the replication's capacity, and its table statistics with it (tasks: never).
    deprovisioned: bool = False
    deprovisioned_at: datetime | None = None

    @property
    def kind(self) -> TaskKind:
        """Told by the ARN, so a task rebuilt from a stored alert (id + ARN) keeps its kind."""
        return kind_of_arn(self.arn)

    @property
    def region(self) -> str:
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 5 else ""

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 5 else ""

    @property
    def resource_id(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One DMS endpoint, as DescribeEndpoints describes it: where a task's target database is."""

    identifier: str
    arn: str
    engine: str  # DMS's EngineName: postgres, aurora-postgresql, mysql, aurora, mariadb, sqlserver, ...
    server: str | None = None
    port: int | None = None
    database: str | None = None
    username: str | None = None
    secret_id: str | None = None  # SecretsManagerSecretId from the engine's settings block


@dataclass(frozen=True, slots=True)
class Resync:
    """DMS data resync for one table (TableStatistics' ``Resync*`` fields, engine 3.6.1+)."""

    state: str | None  # Not enabled / Pending / In progress / No primary key / "Last resync at: <UTC>"
    rows_attempted: int | None = None
    rows_succeeded: int | None = None
    rows_failed: int | None = None

    @property
    def enabled(self) -> bool:
        return self.state is not None and self.state.strip().lower() != "not enabled"

    @property
    def running(self) -> bool:
        return self.state is not None and self.state.strip().lower() in {"pending", "in progress"}


@dataclass(frozen=True, slots=True)
class TableStats:
    """One table's statistics, as DescribeTableStatistics describes it.

    ``validation_state``/``table_state`` are None when DMS left the field out.
    """

    schema: str
    table: str
    table_state: str | None
    validation_state: str | None
    failed_records: int = 0
    suspended_records: int = 0
    pending_records: int = 0
    validation_state_details: str | None = None
    last_update_time: datetime | None = None
    counts_unreadable: bool = False  # a record count DMS sent was not a number
    resync: Resync | None = None  # None: DMS sent no Resync* field (engine before 3.6.1)

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True, slots=True)
class ProblemTable:
    """A table that is not healthy, with why."""

    schema: str
    table: str
    verdict: Verdict
    reason: str
    validation_state: str | None
    table_state: str | None
    failed_records: int
    suspended_records: int
    pending_records: int
    validation_state_details: str | None = None
    resync: Resync | None = None

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True, slots=True)
class CdcLatency:
    """Seconds of CDC lag (CloudWatch CDCLatencySource / CDCLatencyTarget); None = no datapoint."""

    source_seconds: float | None = None
    target_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class TaskVerdict:
    """The judgement on one task and the evidence for it."""

    target: str
    task: Task
    verdict: Verdict
    reasons: tuple[str, ...]
    tables_total: int
    by_validation_state: Mapping[str, int]
    problem_tables: tuple[ProblemTable, ...]
    problem_tables_total: int
    checked_at: datetime
    failed_records: int = 0
    suspended_records: int = 0
    pending_records: int = 0
    # Tables with pending records (name -> count), for stuck-validation tracking; not reported.
    pending_tables: Mapping[str, int] = field(default_factory=dict)
    stats_updated_at: datetime | None = None  # the newest LastUpdateTime among the task's tables
    cdc_latency: CdcLatency | None = None  # None: not fetched (not a running CDC task, or no CloudWatch)
    row_failures: RowFailures | None = None  # None: no database configured for the task's target


@dataclass(frozen=True, slots=True)
class TaskError:
    """A task (or a whole target when ``task_id`` is None) the sweep could not check."""

    target: str
    task_id: str | None
    error: str
    task_arn: str | None = None
    kind: str = "error"

    @property
    def unlisted(self) -> bool:
        """The target's tasks could not even be listed (not: one task, its CDC lag, or only its
        Serverless replications failed)."""
        return self.task_id is None and self.kind not in (LAG_UNREADABLE, SERVERLESS_UNLISTED)

    def hides(self, arn: str) -> bool:
        """Whether this target-wide error kept the sweep from seeing ``arn`` (so its alert stays open)."""
        if self.kind == SERVERLESS_UNLISTED:
            return kind_of_arn(arn) is TaskKind.SERVERLESS
        return self.unlisted


@dataclass(frozen=True, slots=True)
class Summary:
    tasks: int
    ok: int
    warning: int
    failure: int
    errors: int


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of one sweep."""

    checked_at: datetime
    tasks: tuple[TaskVerdict, ...] = ()
    errors: tuple[TaskError, ...] = ()
    duration_seconds: float | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or any(t.verdict is Verdict.FAILURE for t in self.tasks)

    @property
    def status(self) -> str:
        return "failure" if self.failed else "success"

    @property
    def summary(self) -> Summary:
        counts = {v: 0 for v in Verdict}
        for t in self.tasks:
            counts[t.verdict] += 1
        return Summary(
            tasks=len(self.tasks),
            ok=counts[Verdict.OK],
            warning=counts[Verdict.WARNING],
            failure=counts[Verdict.FAILURE],
            errors=len(self.errors),
        )
