"""DescribeReplicationInstances in the simulator, and the scenario's instance and latency knobs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from bot.sim import Scenario, ScenarioError, SimServer, build_fleet
from tests.support.sim_helpers import error_code, make_client

Start = Callable[..., SimServer]


def test_every_task_runs_on_an_instance_that_exists(start_sim: Start) -> None:
    """450 tasks on 3 instances: one call lists the instances, and every task's ARN is among them."""
    sim = start_sim(build_fleet(450, 1))
    dms = make_client(sim.url)
    instances = dms.describe_replication_instances()["ReplicationInstances"]
    by_arn = {i["ReplicationInstanceArn"]: i["ReplicationInstanceIdentifier"] for i in instances}
    assert sorted(by_arn.values()) == ["fleet-instance-1", "fleet-instance-2", "fleet-instance-3"]
    tasks = dms.get_paginator("describe_replication_tasks").paginate(WithoutSettings=True)
    assert {t["ReplicationInstanceArn"] for page in tasks for t in page["ReplicationTasks"]} == set(by_arn)


def test_instances_page_with_a_marker(start_sim: Start) -> None:
    """4,200 tasks on 21 instances: MaxRecords 20 gives pages of 20 and 1; the paginator follows Marker."""
    sim = start_sim(build_fleet(4200, 1))
    dms = make_client(sim.url)
    sim.reset_counters()
    pages = dms.get_paginator("describe_replication_instances").paginate(PaginationConfig={"PageSize": 20})
    assert [len(p["ReplicationInstances"]) for p in pages] == [20, 1]
    assert sim.counters()["calls"] == {"DescribeReplicationInstances": 2}


@pytest.mark.parametrize("records", [19, 101])
def test_max_records_outside_20_to_100_is_refused(start_sim: Start, records: int) -> None:
    sim = start_sim(build_fleet(1, 1))
    with pytest.raises(ClientError) as excinfo:
        make_client(sim.url).describe_replication_instances(MaxRecords=records)
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_filters_by_identifier_and_a_miss_is_not_found(start_sim: Start) -> None:
    sim = start_sim(Scenario.from_dict({"tasks": [{"id": "a", "replication_instance": "prod-rep-1"}]}))
    dms = make_client(sim.url)
    found = dms.describe_replication_instances(
        Filters=[{"Name": "replication-instance-id", "Values": ["prod-rep-1"]}]
    )
    assert [i["ReplicationInstanceArn"] for i in found["ReplicationInstances"]] == [
        sim.scenario.tasks[0].replication_instance_arn
    ]
    with pytest.raises(ClientError) as excinfo:
        dms.describe_replication_instances(Filters=[{"Name": "replication-instance-id", "Values": ["nope"]}])
    assert error_code(excinfo) == "ResourceNotFoundFault"


def test_latency_knobs_in_scenario_files() -> None:
    """Seconds or durations, at the task and in its timed changes; anything else names the key."""
    scenario = Scenario.from_dict(
        {
            "tasks": [
                {
                    "id": "a",
                    "cdc_latency_source": 30,
                    "cdc_latency_target": "75m",
                    "changes": [{"at": "1h", "cdc_latency_target": 0}],
                },
                {"id": "b"},
            ]
        }
    )
    a, b = scenario.tasks
    assert (a.cdc_latency_source, a.cdc_latency_target) == (30.0, 4500.0)
    assert a.changes[0].fields == {"cdc_latency_target": 0.0}
    assert (b.cdc_latency_source, b.cdc_latency_target, b.emits_latency()) == (None, None, False)
    with pytest.raises(ScenarioError, match=r"tasks\[0\]\.cdc_latency_target"):
        Scenario.from_dict({"tasks": [{"id": "a", "cdc_latency_target": "soon"}]})
