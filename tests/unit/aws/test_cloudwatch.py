"""The CloudWatch gateway: real boto3 over HTTP against the simulator."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.aws.cloudwatch import CloudWatchGateway
from bot.aws.dms import DmsGateway
from bot.core.models import CdcLatency, Task
from bot.core.parse import to_task
from bot.errors import CloudWatchError
from bot.sim import FaultRule, Scenario, SimServer, build_fleet
from tests.support.sim_helpers import make_client, make_cloudwatch_client

Start = Callable[..., SimServer]


def sim_clock(sim: SimServer) -> Callable[[], datetime]:
    """The simulator's scenario time, which tests move ahead of the wall clock."""
    return lambda: datetime.fromtimestamp(sim.epoch(), UTC)


def tasks_of(sim: SimServer) -> list[Task]:
    pages = make_client(sim.url).get_paginator("describe_replication_tasks").paginate(WithoutSettings=True)
    return [to_task(raw) for page in pages for raw in page["ReplicationTasks"]]


def fetch(sim: SimServer, **options: object) -> tuple[dict[str, CdcLatency], CloudWatchGateway]:
    tasks = tasks_of(sim)
    ids = DmsGateway(make_client(sim.url)).instance_ids(t.replication_instance_arn for t in tasks)
    gateway = CloudWatchGateway(make_cloudwatch_client(sim.url), clock=sim_clock(sim), **options)  # type: ignore[arg-type]
    return gateway.latency(tasks, ids), gateway


def test_a_600_task_fleet_costs_3_get_metric_data_calls(start_sim: Start) -> None:
    """250 tasks (500 queries) per call: 600 running CDC tasks in ceil(600/250) = 3 calls."""
    sim = start_sim(build_fleet(600, 1, cdc_latency=(30, 4500)))
    latency, gateway = fetch(sim)
    assert len(latency) == 600 and set(latency.values()) == {CdcLatency(30.0, 4500.0)}
    assert gateway.calls == {"GetMetricData": math.ceil(600 / 250)}
    assert sim.counters()["cloudwatch"]["GetMetricData"] == 3


def test_only_running_cdc_tasks_are_asked(start_sim: Start) -> None:
    """Full-load and stopped tasks are left out; a running CDC task with no datapoints is (None, None)."""
    lag = {"cdc_latency_source": 5, "cdc_latency_target": 8}
    sim = start_sim(
        Scenario.from_dict(
            {
                "tasks": [
                    {"id": "lagging", "migration_type": "cdc", **lag},
                    {"id": "both", "migration_type": "full-load-and-cdc", **lag},
                    {"id": "quiet", "migration_type": "cdc"},
                    {"id": "load", "migration_type": "full-load", **lag},
                    {"id": "stopped", "migration_type": "cdc", "status": "stopped", **lag},
                ]
            }
        )
    )
    latency, _ = fetch(sim)
    arn = {t.identifier: t.arn for t in sim.scenario.tasks}
    assert latency == {
        arn["lagging"]: CdcLatency(5.0, 8.0),
        arn["both"]: CdcLatency(5.0, 8.0),
        arn["quiet"]: CdcLatency(None, None),
    }


def test_the_newest_datapoint_wins_across_pages(start_sim: Start) -> None:
    """Small pages make botocore's paginator follow NextToken; the value is the latest minute's."""
    sim = start_sim(build_fleet(3, 1, cdc_latency=(10, 20)))
    sim.advance(300)
    sim.set_cdc_latency("fleet-0002", source=0, target=7200)
    latency, gateway = fetch(sim, max_datapoints=7)
    by_id = {t.identifier: latency[t.arn] for t in sim.scenario.tasks}
    assert by_id == {
        "fleet-0001": CdcLatency(10.0, 20.0),
        "fleet-0002": CdcLatency(0.0, 7200.0),
        "fleet-0003": CdcLatency(10.0, 20.0),
    }
    assert gateway.calls["GetMetricData"] >= 2 * 3 * 2  # ~16 points a query, 7 a page


def test_no_tasks_no_call(start_sim: Start) -> None:
    sim = start_sim(build_fleet(2, 1, cdc_latency=(1, 1)))
    gateway = CloudWatchGateway(make_cloudwatch_client(sim.url), clock=sim_clock(sim))
    assert gateway.latency(tasks_of(sim), {}) == {}  # instance unknown: not asked
    assert gateway.calls == {}


def test_calls_are_reported_to_a_callback(start_sim: Start) -> None:
    sim = start_sim(build_fleet(1, 1, cdc_latency=(1, 1)))
    seen: list[str] = []
    fetch(sim, on_call=seen.append)
    assert seen == ["GetMetricData"]


def test_access_denied_is_one_cloudwatch_error(start_sim: Start) -> None:
    """AccessDenied becomes CloudWatchError with AWS's code, one line, naming CloudWatch."""
    sim = start_sim(build_fleet(1, 1, cdc_latency=(1, 1)))
    sim.set_faults([FaultRule("access_denied", op="GetMetricData")])
    with pytest.raises(CloudWatchError) as excinfo:
        fetch(sim)
    assert excinfo.value.code == "AccessDenied"
    assert str(excinfo.value).startswith("CloudWatch GetMetricData: AccessDenied: ")
    assert "\n" not in str(excinfo.value)


def test_unreachable_cloudwatch_is_one_cloudwatch_error(start_sim: Start) -> None:
    """A CloudWatch endpoint nobody answers is CloudWatchError "Unavailable", not a botocore error."""
    sim = start_sim(build_fleet(1, 1, cdc_latency=(1, 1)))
    tasks = tasks_of(sim)
    ids = DmsGateway(make_client(sim.url)).instance_ids(t.replication_instance_arn for t in tasks)
    dead = start_sim(build_fleet(0, 0))
    url = dead.url
    dead.stop()
    gateway = CloudWatchGateway(make_cloudwatch_client(url), clock=sim_clock(sim))
    with pytest.raises(CloudWatchError) as excinfo:
        gateway.latency(tasks, ids)
    assert excinfo.value.code == "Unavailable"
    assert "cannot reach CloudWatch" in str(excinfo.value)


def test_a_window_of_minute_datapoints_for_one_task_follows_pages_and_history(start_sim: Start) -> None:
    """The cutover gate's window: every 1-minute point of both metrics, oldest first, across pages."""
    sim = start_sim(
        Scenario.from_dict(
            {
                "tasks": [
                    {"id": "t", "migration_type": "cdc", "cdc_latency_source": 2, "cdc_latency_target": 41}
                ]
            }
        )
    )
    sim.advance(600)
    sim.set_cdc_latency("t", source=0, target=1)  # the lag drains
    sim.advance(180)
    task = tasks_of(sim)[0]
    ids = DmsGateway(make_client(sim.url)).instance_ids([task.replication_instance_arn])
    gateway = CloudWatchGateway(make_cloudwatch_client(sim.url), clock=sim_clock(sim), max_datapoints=4)
    window = gateway.latency_window(task, ids[task.replication_instance_arn or ""], seconds=300)
    assert window.expected == 5 and window.error is None
    assert len(window.source) == len(window.target) == 6  # the minute the window starts in, through now
    assert [v for _, v in window.target] == [41.0, 41.0, 1.0, 1.0, 1.0, 1.0]
    assert [at for at, _ in window.target] == sorted(at for at, _ in window.target)
    assert gateway.calls["GetMetricData"] == 3  # 12 datapoints, 4 a page


def test_a_denied_window_is_one_cloudwatch_error(start_sim: Start) -> None:
    sim = start_sim(
        Scenario.from_dict({"tasks": [{"id": "t", "migration_type": "cdc", "cdc_latency_target": 1}]})
    )
    sim.set_faults([FaultRule("access_denied", op="GetMetricData")])
    task = tasks_of(sim)[0]
    gateway = CloudWatchGateway(make_cloudwatch_client(sim.url), clock=sim_clock(sim))
    with pytest.raises(CloudWatchError, match="AccessDenied"):
        gateway.latency_window(task, "dms-instance-1", seconds=300)
