"""``[[replications]]`` in scenario files: DMS Serverless replications beside the tasks.

Keys (all but ``id`` optional)::

    [[replications]]
    id = "orders-serverless"          # ReplicationConfigIdentifier
    resource_id = "OZRAVXDSNFCUTG5UZNI6HRDWVY"   # ARN suffix; default derived from the id
    replication_type = "full-load-and-cdc"      # full-load | cdc | full-load-and-cdc
    status = "running"                 # any lower-case string (DMS has no enum); see serverless.STATUSES
    provision_state = "provisioned"    # "" | provisioning | provisioned | deprovisioning | deprovisioned
    stop_reason = "Stop Reason FATAL_ERROR"
    failure_messages = ["...", "..."]
    validation = true
    source_endpoint = "orders-src"     # endpoint ids, as for tasks
    target_endpoint = "orders-tgt"
    capacity_units = 4                 # ProvisionedCapacityUnits while provisioned
    min_capacity = 1                   # ComputeConfig MinCapacityUnits / MaxCapacityUnits
    max_capacity = 16
    new_provisioning_reason = "..."    # IsNewProvisioningAvailable = true with this reason
    created = "30d"                    # ago; started = "7d" | false; stale = true | "1h"
    cdc_latency_source = 3             # CloudWatch seconds while running (as for tasks)
    cdc_latency_target = 5
    table_mappings = "{...}"
    tables = [...]; generate = [...]   # exactly as for tasks
    changes = [{ at = "5m", status = "failed", failure_messages = ["..."], provision_state = "...",
                 stop_reason = "...", cdc_latency_source = 9 }]
"""

from __future__ import annotations

import re
from typing import Any

from bot.sim.errors import ScenarioError
from bot.sim.model import DAY, LATENCY_FIELDS, MIGRATION_TYPES, Change, dms_arn
from bot.sim.scenario import _TASK_ID, _Node, _tables
from bot.sim.serverless import (
    NOT_PROVISIONED,
    PROVISION_STATES,
    REPLICATION_CHANGE_FIELDS,
    ReplicationSpec,
    base_spec,
    default_provision_state,
)

_RESOURCE_ID = re.compile(r"[A-Z0-9]{1,64}")
_STATUS = re.compile(r"[a-z][a-z_ ]*")


def parse_replications(
    root: _Node, region: str, account: str, task_ids: set[str]
) -> tuple[ReplicationSpec, ...]:
    """Every ``[[replications]]`` entry; ids are unique, and distinct from the task ids."""
    specs = [_replication(node, region, account) for node in root.children("replications")]
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if spec.identifier in seen or spec.identifier in task_ids:
            what = "replication" if spec.identifier in seen else "task"
            raise ScenarioError(
                f"{root.source}: replications[{i}].id: {spec.identifier!r} is already a {what} id"
            )
        seen.add(spec.identifier)
    return tuple(specs)


def _replication(node: _Node, region: str, account: str) -> ReplicationSpec:
    ident = node.text("id")
    if not _TASK_ID.fullmatch(ident):
        raise node.error("id", "expected letters, digits and hyphens, starting with a letter")
    resource = node.opt_text("resource_id")
    if resource is not None and not _RESOURCE_ID.fullmatch(resource):
        raise node.error("resource_id", "expected upper-case letters and digits")
    arn = (
        f"arn:aws:dms:{region}:{account}:replication-config:{resource}"
        if resource
        else dms_arn("replication-config", ident, region, account)
    )
    rtype = node.text("replication_type", "full-load-and-cdc")
    if rtype not in MIGRATION_TYPES:
        raise node.error("replication_type", f"expected one of {', '.join(MIGRATION_TYPES)}")
    status = _status(node, "status", "running")
    validation = node.flag("validation", True)
    base = base_spec(
        ident,
        arn,
        replication_type=rtype,
        status=status,
        source_endpoint_arn=dms_arn(
            "endpoint", node.text("source_endpoint", f"{ident}-source"), region, account
        ),
        target_endpoint_arn=dms_arn(
            "endpoint", node.text("target_endpoint", f"{ident}-target"), region, account
        ),
        validation=validation,
        tables=_tables(node, validation),
        stop_reason=node.opt_text("stop_reason"),
        stale=node.stale("stale"),
        table_mappings=node.opt_text("table_mappings"),
        created_ago=node.duration("created", 30 * DAY),
        started_ago=_started(node, status),
        changes=tuple(_changes(node)),
        **{key: node.duration(key) for key in LATENCY_FIELDS if node.has(key)},
    )
    spec = ReplicationSpec(
        base=base,
        failure_messages=_messages(node, "failure_messages"),
        provision_state=_provision(node, default_provision_state(status)),
        capacity_units=node.count("capacity_units", 4),
        min_capacity=node.count("min_capacity", 1),
        max_capacity=node.count("max_capacity", 16),
        new_provisioning_reason=node.opt_text("new_provisioning_reason"),
    )
    node.finish()
    return spec


def _status(node: _Node, key: str, default: str | None = None) -> str:
    value = node.text(key, default)
    if not _STATUS.fullmatch(value):
        raise node.error(key, "expected a lower-case status such as 'running' or 'provisioning_capacity'")
    return value


def _provision(node: _Node, default: str) -> str:
    value = node.get("provision_state", default)
    if value not in PROVISION_STATES:
        raise node.error("provision_state", f"expected one of {', '.join(map(repr, PROVISION_STATES))}")
    return str(value)


def _messages(node: _Node, key: str) -> tuple[str, ...]:
    value = node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise node.error(key, "expected a list of non-empty strings")
    return tuple(value)


def _started(node: _Node, status: str) -> float | None:
    value = node.get("started", status not in NOT_PROVISIONED)
    if isinstance(value, bool):
        return 7 * DAY if value else None
    return node.duration("started")


def _changes(node: _Node) -> list[Change]:
    changes: list[Change] = []
    for child in node.children("changes"):
        at = child.duration("at")
        values: dict[str, Any] = {}
        if child.has("status"):
            values["status"] = _status(child, "status")
        if child.has("stop_reason"):
            reason = child.get("stop_reason")
            if not isinstance(reason, str):
                raise child.error("stop_reason", "expected a string ('' clears it)")
            values["stop_reason"] = reason or None
        if child.has("failure_messages"):
            values["failure_messages"] = _messages(child, "failure_messages")
        if child.has("provision_state"):
            values["provision_state"] = _provision(child, "")
        values.update((key, child.duration(key)) for key in LATENCY_FIELDS if child.has(key))
        if not values:
            raise child.error("at", f"a change needs at least one of {', '.join(REPLICATION_CHANGE_FIELDS)}")
        child.finish()
        changes.append(Change(at, values))
    return sorted(changes, key=lambda change: change.at)
