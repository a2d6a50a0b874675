"""Replication instance identifiers: DescribeReplicationInstances through the DMS gateway, cached."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.aws.budget import TokenBucket
from bot.aws.dms import DmsGateway
from bot.errors import DmsAccessDenied
from bot.settings import ApiBudget
from bot.sim import FaultRule, SimServer, build_fleet
from tests.support.sim_helpers import make_client

Start = Callable[..., SimServer]


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def instance_calls(gateway: DmsGateway) -> int:
    return gateway.calls["DescribeReplicationInstances"]


def test_one_call_per_100_instances_through_the_budget(start_sim: Start) -> None:
    """101 instances (20,001 tasks) cost 2 calls at MaxRecords=100, each taking a DMS token."""
    sim = start_sim(build_fleet(20_001, 0))
    bucket = TokenBucket(ApiBudget(rate=1000, burst=1000))
    gateway = DmsGateway(make_client(sim.url), budget=bucket)
    instances = gateway.replication_instances()
    assert (
        len(instances) == 101
        and instances[sim.scenario.tasks[-1].replication_instance_arn] == "fleet-instance-101"
    )
    assert instance_calls(gateway) == 2 and bucket.acquired == 2


def test_the_cache_answers_until_its_ttl(start_sim: Start) -> None:
    """A second sweep costs nothing; after the TTL one refresh."""
    sim = start_sim(build_fleet(3, 0))
    ticks = Ticks()
    gateway = DmsGateway(make_client(sim.url), instance_ttl=3600, monotonic=ticks)
    arn = sim.scenario.tasks[0].replication_instance_arn
    assert gateway.instance_ids([arn]) == {arn: "fleet-instance-1"}
    ticks.now += 3599
    assert gateway.instance_ids([arn, None]) == {arn: "fleet-instance-1"}
    assert instance_calls(gateway) == 1
    ticks.now += 1
    assert gateway.replication_instances() == {arn: "fleet-instance-1"}
    assert instance_calls(gateway) == 2


def test_an_unknown_instance_refreshes_once_then_waits(start_sim: Start) -> None:
    """A new ARN refreshes the cache; one that still does not exist is not asked again for 5 minutes."""
    sim = start_sim(build_fleet(1, 0))
    ticks = Ticks()
    gateway = DmsGateway(make_client(sim.url), monotonic=ticks)
    known = sim.scenario.tasks[0].replication_instance_arn
    ghost = known.replace(known.rsplit(":", 1)[-1], "GHOST")
    assert gateway.instance_ids([known]) == {known: "fleet-instance-1"}
    assert gateway.instance_ids([known, ghost]) == {known: "fleet-instance-1"}
    assert gateway.instance_ids([known, ghost]) == {known: "fleet-instance-1"}
    assert instance_calls(gateway) == 2
    ticks.now += 300
    gateway.instance_ids([ghost])
    assert instance_calls(gateway) == 3


def test_access_denied_is_the_bots_own_error_and_nothing_is_cached(start_sim: Start) -> None:
    sim = start_sim(build_fleet(1, 0))
    gateway = DmsGateway(make_client(sim.url))
    sim.set_faults([FaultRule("access_denied", op="DescribeReplicationInstances", count=1)])
    with pytest.raises(DmsAccessDenied):
        gateway.replication_instances()
    assert len(gateway.replication_instances()) == 1
