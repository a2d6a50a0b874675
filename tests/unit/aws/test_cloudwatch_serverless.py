"""CDC lag of DMS Serverless replications: the dimension discovered with ListMetrics (cached), then
GetMetricData with it; no matching series = not asked = no finding. Real boto3 over HTTP to the
simulator, which publishes a serverless series under a dimension the bot is never told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.aws.cloudwatch import CloudWatchGateway
from bot.aws.dms import DmsGateway
from bot.core.models import CdcLatency, Task
from bot.core.parse import to_task
from bot.errors import CloudWatchError
from bot.sim import FaultRule, Scenario, SimServer
from tests.support.sim_helpers import make_client, make_cloudwatch_client
from tests.support.simtools import checker_for

Start = Callable[..., SimServer]
LAG = {"cdc_latency_source": 4, "cdc_latency_target": 9}
FLEET = Scenario.from_dict(
    {
        "tasks": [{"id": "orders-cdc", "migration_type": "cdc", **LAG}],
        "replications": [
            {
                "id": "orders-sl",
                "resource_id": "OZRAVXDSNFCUTG5UZNI6HRDWVY",
                "replication_type": "cdc",
                **LAG,
            },
            {"id": "quiet-sl", "replication_type": "cdc"},  # running, a series with no datapoints
        ],
    }
)


def replications(sim: SimServer) -> list[Task]:
    """The replications as the gateway models them (config identifier and ARN, kind serverless),
    and one CloudWatch has no series for (created since, or never emitting)."""
    listed = [Task(r.identifier, r.arn, "running", "cdc") for r in sim.scenario.replications]
    ghost = Task(
        "ghost-sl", listed[0].arn.rsplit(":", 1)[0] + ":GHOSTRESOURCEID000000000000", "running", "cdc"
    )
    return [*listed, ghost]


def gateway_for(sim: SimServer, **options: object) -> CloudWatchGateway:
    clock: Callable[[], datetime] = lambda: datetime.fromtimestamp(sim.epoch(), UTC)  # noqa: E731
    return CloudWatchGateway(make_cloudwatch_client(sim.url), clock=clock, **options)  # type: ignore[arg-type]


@pytest.fixture
def sim(start_sim: Start) -> SimServer:
    return start_sim(FLEET)


def test_the_lag_of_a_replication_is_read_under_the_discovered_dimension(sim: SimServer) -> None:
    gateway = gateway_for(sim)
    orders, quiet, ghost = replications(sim)
    found = gateway.latency([orders, quiet, ghost], {})
    assert found == {orders.arn: CdcLatency(4.0, 9.0), quiet.arn: CdcLatency(None, None)}  # ghost: no finding
    assert gateway.calls == {"ListMetrics": 1, "GetMetricData": 1}
    [(name, value)] = gateway.serverless_dimensions([orders])[orders.arn]
    assert value.endswith("OZRAVXDSNFCUTG5UZNI6HRDWVY")  # the name is whatever CloudWatch said
    assert ((name, value),) in gateway.lag_series() and name != "ReplicationTaskIdentifier"


def test_the_listing_is_cached_and_an_unmatched_replication_waits_before_asking_again(sim: SimServer) -> None:
    clock = [0.0]
    gateway = gateway_for(sim, monotonic=lambda: clock[0])
    orders, _, ghost = replications(sim)
    gateway.latency([orders, ghost], {})
    assert gateway.calls["ListMetrics"] == 1  # ghost unmatched by the first listing: no second one
    clock[0] = 60.0
    gateway.latency([orders, ghost], {})
    assert gateway.calls["ListMetrics"] == 1  # cached; ghost waits out the retry
    clock[0] = 400.0
    gateway.latency([orders, ghost], {})
    assert gateway.calls["ListMetrics"] == 2  # ghost may look again, once
    clock[0] = 3600.0
    gateway.latency([orders], {})
    assert gateway.calls["ListMetrics"] == 2  # younger than an hour (refreshed at 400)
    clock[0] = 4000.0
    gateway.latency([orders], {})
    assert gateway.calls["ListMetrics"] == 3 and gateway.calls["GetMetricData"] == 5


def test_no_replication_no_list_metrics(sim: SimServer) -> None:
    gateway = gateway_for(sim)
    assert gateway.latency([], {}) == {}
    assert gateway.calls == {}


def test_list_metrics_refused_is_one_cloudwatch_error(sim: SimServer) -> None:
    sim.set_faults([FaultRule("access_denied", op="ListMetrics")])
    with pytest.raises(CloudWatchError) as excinfo:
        gateway_for(sim).latency(replications(sim), {})
    assert str(excinfo.value).startswith("CloudWatch ListMetrics: AccessDenied: ")


def test_tasks_and_replications_share_the_get_metric_data_calls(sim: SimServer) -> None:
    dms = make_client(sim.url)
    tasks = [to_task(raw) for raw in dms.describe_replication_tasks()["ReplicationTasks"]]
    ids = DmsGateway(dms).instance_ids(t.replication_instance_arn for t in tasks)
    gateway = gateway_for(sim)
    orders, _, _ = replications(sim)
    found = gateway.latency([*tasks, orders], ids)
    assert found == {tasks[0].arn: CdcLatency(4.0, 9.0), orders.arn: CdcLatency(4.0, 9.0)}
    assert gateway.calls == {"ListMetrics": 1, "GetMetricData": 1}


def test_a_sweep_of_replications_only_lists_no_instances(start_sim: Start) -> None:
    """Replications have no replication instance: their lag costs no DescribeReplicationInstances."""
    only = Scenario.from_dict({"replications": [{"id": "orders-sl", "replication_type": "cdc", **LAG}]})
    sim = start_sim(only)
    report = checker_for(sim.url, clock=lambda: datetime.fromtimestamp(sim.epoch(), UTC)).sweep()
    [verdict] = report.tasks
    assert verdict.cdc_latency == CdcLatency(4.0, 9.0)
    assert sim.counters()["calls"].get("DescribeReplicationInstances", 0) == 0
    assert sim.counters()["cloudwatch"] == {"ListMetrics": 1, "GetMetricData": 1}


def test_list_metrics_refused_in_a_sweep_keeps_the_tasks_lag_and_says_what_was_not_read(
    sim: SimServer,
) -> None:
    """A policy without cloudwatch:ListMetrics: the tasks' lag is still read; one error line says the
    replications' lag could not be (never a false OK for them)."""
    sim.set_faults([FaultRule("access_denied", op="ListMetrics")])
    report = checker_for(sim.url, clock=lambda: datetime.fromtimestamp(sim.epoch(), UTC)).sweep()
    lag = {v.task.identifier: v.cdc_latency for v in report.tasks}
    assert lag["orders-cdc"] == CdcLatency(4.0, 9.0)
    assert lag["orders-sl"] is None and lag["quiet-sl"] is None
    [error] = report.errors
    assert error.task_id is None and error.error.startswith(
        "CDC lag of DMS Serverless replications could not be read: CloudWatch ListMetrics: AccessDenied"
    )
