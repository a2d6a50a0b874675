"""DMS Serverless replications: a replication config and its one replication, as the simulator holds them.

A replication has tables like a task, so its runtime *is* a ``TaskRuntime`` built on a task-shaped
``base`` spec (status, stop reason, tables, timed changes, CDC latency): table statistics, reloads and
CloudWatch datapoints reuse the task code. What only serverless has (the failure-message list, the
provisioning state, capacity units) is folded here from the same timed changes.

Facts and their status: shared/reference/dms-serverless.md. ``Replication.Status`` is a lower-case
string with no enum (section 1c); ``ProvisionData.ProvisionState`` literals are ``deprovisioning``,
``deprovisioned`` and ``""`` (never provisioned); ``provisioned``/``provisioning`` are UNVERIFIED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from bot.sim.model import DAY, Change, GenBlock, TableSet, TaskSpec, dms_arn
from bot.sim.state import RUNNING, SimState, TaskRuntime

# The CloudWatch dimension the simulator publishes serverless CDC latency under. UNVERIFIED: the only
# example found is a third-party Terraform dashboard (reference/dms-serverless.md section 5). The value
# is formatted with ``account``, ``resource_id`` (the ARN suffix), ``identifier`` and ``arn``; change
# these two constants and nothing else to serve another form.
SERVERLESS_METRIC_DIMENSION = "ReplicationConfigId"
SERVERLESS_METRIC_VALUE = "{account}:{resource_id}"

# Literal Status strings real clients compare against (Terraform's consts.go, Airflow's waiters).
STATUSES = (
    "created",
    "ready",
    "initializing",
    "preparing_metadata_resources",
    "testing_connection",
    "fetching_metadata",
    "calculating_capacity",
    "provisioning_capacity",
    "replication_starting",
    "running",
    "stopping",
    "stopped",
    "failed",
    "deleting",
)
NOT_PROVISIONED = frozenset(STATUSES[:7])  # before capacity is provisioned: ProvisionState ""
PROVISION_STATES = ("", "provisioning", "provisioned", "deprovisioning", "deprovisioned")
GONE = frozenset({"", "deprovisioned"})  # no table metadata: never provisioned, or lost on deprovision
REPLICATION_CHANGE_FIELDS = (
    "status",
    "stop_reason",
    "failure_messages",
    "provision_state",
    "cdc_latency_source",
    "cdc_latency_target",
)


def default_provision_state(status: str) -> str:
    """The ProvisionState a scenario replication in ``status`` starts with unless it says otherwise.

    ``deprovisioning``/``deprovisioned`` are ProvisionState literals, not Status ones; a scenario that
    uses them as a status gets that provisioning state too (and the odd Status string, as written)."""
    if status in ("deprovisioning", "deprovisioned"):
        return status
    if status in NOT_PROVISIONED:
        return ""
    return "provisioning" if status == "provisioning_capacity" else "provisioned"


@dataclass(frozen=True, slots=True)
class ReplicationSpec:
    """One serverless replication config and its replication as the scenario starts them.

    Timed changes of every field (serverless-only ones included) live in ``base.changes``.
    """

    base: TaskSpec  # identifier = ReplicationConfigIdentifier, arn = ReplicationConfigArn, tables, ...
    failure_messages: tuple[str, ...] = ()
    provision_state: str = "provisioned"
    capacity_units: int = 4  # ProvisionedCapacityUnits while provisioned
    min_capacity: int = 1
    max_capacity: int = 16
    new_provisioning_reason: str | None = None  # IsNewProvisioningAvailable with this reason

    @property
    def identifier(self) -> str:
        return self.base.identifier

    @property
    def arn(self) -> str:
        return self.base.arn

    @property
    def resource_id(self) -> str:
        """The ARN suffix (the config's resource id)."""
        return self.base.arn.rsplit(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class Provisioning:
    """The serverless-only fields at one instant."""

    failure_messages: tuple[str, ...]
    provision_state: str
    changed_at: float | None  # scenario time ProvisionState last changed (None: as at start)


class ReplicationRuntime(TaskRuntime):
    """A replication: the task machinery on ``spec.base`` plus the serverless-only fields."""

    def __init__(self, spec: ReplicationSpec) -> None:
        super().__init__(spec.base)
        self.replication = spec

    def provisioning(self, now: float) -> Provisioning:
        """Fold the failure messages and ProvisionState up to ``now`` (scenario and API changes)."""
        spec = self.replication
        messages, provision, changed_at = spec.failure_messages, spec.provision_state, None
        for change in sorted(chain(self.spec.changes, self.events), key=_at):
            if change.at > now:
                break
            fields: Mapping[str, Any] = change.fields
            messages = tuple(fields.get("failure_messages", messages))
            if "provision_state" in fields and fields["provision_state"] != provision:
                provision, changed_at = fields["provision_state"], change.at
        return Provisioning(messages, provision, changed_at)

    def metric_dimension(self, account: str) -> dict[str, str]:
        """The one CloudWatch dimension its metrics carry (see ``SERVERLESS_METRIC_DIMENSION``)."""
        value = SERVERLESS_METRIC_VALUE.format(
            account=account,
            resource_id=self.replication.resource_id,
            identifier=self.spec.identifier,
            arn=self.spec.arn,
        )
        return {"Name": SERVERLESS_METRIC_DIMENSION, "Value": value}


def base_spec(
    identifier: str,
    arn: str,
    *,
    replication_type: str,
    status: str,
    source_endpoint_arn: str,
    target_endpoint_arn: str,
    **fields: Any,
) -> TaskSpec:
    """The task-shaped part of a replication (no replication instance: serverless has none)."""
    fields.setdefault("created_ago", 30 * DAY)
    return TaskSpec(
        identifier=identifier,
        arn=arn,
        migration_type=replication_type,
        status=status,
        source_endpoint_arn=source_endpoint_arn,
        target_endpoint_arn=target_endpoint_arn,
        replication_instance_arn="",
        replication_instance_id="",
        **fields,
    )


def fleet_replication(
    index: int,
    tables: GenBlock,
    region: str,
    account: str,
    *,
    cdc_latency: tuple[float | None, float | None] = (None, None),
) -> ReplicationSpec:
    """The ``index``-th running replication of a synthetic fleet (``fleet-sl-0001``, ...)."""
    ident = f"fleet-sl-{index + 1:04d}"
    base = base_spec(
        ident,
        dms_arn("replication-config", ident, region, account),
        replication_type="cdc" if index % 2 == 0 else "full-load-and-cdc",
        status="running",
        source_endpoint_arn=dms_arn("endpoint", f"{ident}-source", region, account),
        target_endpoint_arn=dms_arn("endpoint", f"{ident}-target", region, account),
        validation=True,
        tables=TableSet([tables]),
        cdc_latency_source=cdc_latency[0],
        cdc_latency_target=cdc_latency[1],
    )
    return ReplicationSpec(base=base)


def _at(change: Change) -> float:
    return change.at


def metric_sources(state: SimState) -> list[tuple[ReplicationRuntime, list[dict[str, str]], bool]]:
    """Each live replication with its CloudWatch dimensions, and whether ListMetrics lists it: when it
    runs now or ever reports CDC latency (CloudWatch lists metrics published in the last two weeks)."""
    now, account = state.now(), state.scenario.account
    return [
        (r, [r.metric_dimension(account)], r.spec.emits_latency() or r.state(now).status == RUNNING)
        for r in state.replications
        if not r.deleted
    ]
