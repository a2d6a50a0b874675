"""DMS Serverless response items (Replication, ReplicationConfig) built from the live state.

Shapes follow botocore's service model (``Replication``, ``ProvisionData``, ``ReplicationStats``,
``ReplicationConfig``, ``ComputeConfig``); None-valued members are left out as DMS does.
"""

from __future__ import annotations

from typing import Any

from bot.sim.serverless import GONE, ReplicationRuntime
from bot.sim.state import SimState
from bot.sim.views import _stats, settings_json, start_epoch, table_mappings

_STOPPED = frozenset({"stopped", "failed"})


def replication_item(state: SimState, replication: ReplicationRuntime, now: float) -> dict[str, Any]:
    """One ``Replication`` of DescribeReplications."""
    spec, ts = replication.spec, replication.state(now)
    extra = replication.provisioning(now)
    start = start_epoch(state, replication, ts)
    item: dict[str, Any] = {
        "ReplicationConfigIdentifier": spec.identifier,
        "ReplicationConfigArn": spec.arn,
        "SourceEndpointArn": spec.source_endpoint_arn,
        "TargetEndpointArn": spec.target_endpoint_arn,
        "ReplicationType": spec.migration_type,
        "Status": ts.status,
        "ProvisionData": _provision_data(state, replication, now, start),
        "StopReason": ts.stop_reason,
        "FailureMessages": list(extra.failure_messages) or None,
        "StartReplicationType": "start-replication" if start is not None else None,
        "ReplicationCreateTime": state.epoch(-spec.created_ago),
        "ReplicationUpdateTime": state.epoch(_last_change(replication, now, -spec.created_ago)),
        "ReplicationLastStopTime": state.epoch(ts.last_running) if ts.status in _STOPPED else None,
        "IsReadOnly": False,
    }
    if extra.provision_state in GONE:
        # "When a replication ... is in deprovisioned state, the metadata related to tables and
        # replication statistics will be lost" (UG, reference section 1c): no ReplicationStats then.
        # UNVERIFIED: whether DMS omits the member or sends zeros.
        if extra.provision_state == "deprovisioned":
            item["ReplicationDeprovisionTime"] = state.epoch(_deprovisioned_at(replication, now))
    else:
        item["ReplicationStats"] = _stats(state, replication, ts, start)
    return {key: value for key, value in item.items() if value is not None}


def config_item(state: SimState, replication: ReplicationRuntime) -> dict[str, Any]:
    """One ``ReplicationConfig`` of DescribeReplicationConfigs (what only the config has)."""
    spec, serverless = replication.spec, replication.replication
    created = state.epoch(-spec.created_ago)
    return {
        "ReplicationConfigIdentifier": spec.identifier,
        "ReplicationConfigArn": spec.arn,
        "SourceEndpointArn": spec.source_endpoint_arn,
        "TargetEndpointArn": spec.target_endpoint_arn,
        "ReplicationType": spec.migration_type,
        "ComputeConfig": {
            "MaxCapacityUnits": serverless.max_capacity,
            "MinCapacityUnits": serverless.min_capacity,
            "MultiAZ": False,
            "PreferredMaintenanceWindow": "sun:04:00-sun:04:30",
            "ReplicationSubnetGroupId": "default",
            "VpcSecurityGroupIds": [],
        },
        "ReplicationSettings": settings_json(spec.validation),
        "TableMappings": table_mappings(replication),
        "ReplicationConfigCreateTime": created,
        "ReplicationConfigUpdateTime": created,
        "IsReadOnly": False,
    }


def _provision_data(
    state: SimState, replication: ReplicationRuntime, now: float, start: float | None
) -> dict[str, Any]:
    extra, serverless = replication.provisioning(now), replication.replication
    data: dict[str, Any] = {
        "ProvisionState": extra.provision_state,
        "ProvisionedCapacityUnits": serverless.capacity_units
        if extra.provision_state == "provisioned"
        else 0,
        "IsNewProvisioningAvailable": serverless.new_provisioning_reason is not None,
    }
    if extra.provision_state in ("provisioned", "deprovisioning") and start is not None:
        data["DateProvisioned"] = start
    if serverless.new_provisioning_reason is not None:
        data["DateNewProvisioningDataAvailable"] = state.epoch(-3600.0)
        data["ReasonForNewProvisioningData"] = serverless.new_provisioning_reason
    return data


def _deprovisioned_at(replication: ReplicationRuntime, now: float) -> float:
    """When it was deprovisioned: the change that said so, else one day before the scenario started."""
    changed = replication.provisioning(now).changed_at
    return changed if changed is not None else -86400.0


def _last_change(replication: ReplicationRuntime, now: float, default: float) -> float:
    times = [c.at for c in (*replication.spec.changes, *replication.events) if c.at <= now]
    return max(times, default=default)
