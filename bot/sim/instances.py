"""DescribeReplicationInstances: the instances the scenario's tasks run on.

The bot reads it only for each instance's identifier, which CloudWatch uses as the
``ReplicationInstanceIdentifier`` dimension of task metrics (reference/dms-api.md section 5).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.sim.errors import not_found
from bot.sim.model import DAY
from bot.sim.ops import _filters, _marker, _marker_offset, _max_records
from bot.sim.state import SimState

INSTANCE_CLASS = "dms.r5.large"
ENGINE_VERSION = "3.5.3"
INSTANCE_FILTERS: dict[str, Callable[[str, str], str]] = {
    "replication-instance-arn": lambda arn, _: arn,
    "replication-instance-id": lambda _, ident: ident,
    "replication-instance-class": lambda _a, _i: INSTANCE_CLASS,
    "engine-version": lambda _a, _i: ENGINE_VERSION,
}


def describe_replication_instances(state: SimState, params: Mapping[str, Any]) -> dict[str, Any]:
    """Instances in scenario order, filtered and paged (MaxRecords 20..100, Marker)."""
    limit = _max_records(params, high=100)
    filters = _filters(params, tuple(INSTANCE_FILTERS))
    start = _marker_offset(params, "instances")
    instances = [
        (arn, ident)
        for arn, ident in state.scenario.instances().items()
        if all(INSTANCE_FILTERS[name](arn, ident) in values for name, values in filters.items())
    ]
    if filters and not instances:
        raise not_found("No Replication Instances found matching the filters")
    page = instances[start : start + limit]
    response: dict[str, Any] = {"ReplicationInstances": [_item(state, arn, ident) for arn, ident in page]}
    if start + limit < len(instances):
        response["Marker"] = _marker("instances", start + limit)
    return response


def _item(state: SimState, arn: str, ident: str) -> dict[str, Any]:
    return {
        "ReplicationInstanceIdentifier": ident,
        "ReplicationInstanceArn": arn,
        "ReplicationInstanceClass": INSTANCE_CLASS,
        "ReplicationInstanceStatus": "available",
        "AllocatedStorage": 100,
        "InstanceCreateTime": state.epoch(-60 * DAY),
        "EngineVersion": ENGINE_VERSION,
        "AutoMinorVersionUpgrade": True,
        "MultiAZ": False,
        "PubliclyAccessible": False,
        "NetworkType": "IPV4",
    }


OPERATIONS = {"DescribeReplicationInstances": describe_replication_instances}
