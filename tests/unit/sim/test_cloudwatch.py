"""CloudWatch GetMetricData and ListMetrics in the simulator, through unmodified boto3 over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from bot.sim import FaultRule, Scenario, SimServer, build_fleet
from tests.support.sim_helpers import error_code, make_client, make_cloudwatch_client

Start = Callable[..., SimServer]
INSTANCE = "ReplicationInstanceIdentifier"
TASK = "ReplicationTaskIdentifier"


def scenario(**task: Any) -> Scenario:
    base = {"id": "orders-cdc", "migration_type": "cdc", "replication_instance": "prod-rep-1"}
    return Scenario.from_dict({"tasks": [{**base, **task}]})


def query(
    qid: str, metric: str, task_dim: str, instance: str = "prod-rep-1", stat: str = "Maximum"
) -> dict[str, Any]:
    dims = [{"Name": INSTANCE, "Value": instance}, {"Name": TASK, "Value": task_dim}]
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/DMS", "MetricName": metric, "Dimensions": dims},
            "Period": 60,
            "Stat": stat,
        },
    }


def window(sim: SimServer, minutes: int = 15) -> dict[str, datetime]:
    """The last ``minutes`` of scenario time (which tests move ahead of the wall clock)."""
    now = datetime.fromtimestamp(sim.epoch(), UTC)
    return {"StartTime": now - timedelta(minutes=minutes), "EndTime": now + timedelta(seconds=1)}


def resource_id(sim: SimServer, identifier: str = "orders-cdc") -> str:
    return next(t.arn for t in sim.scenario.tasks if t.identifier == identifier).rsplit(":", 1)[-1]


def latest(cw: Any, queries: list[dict[str, Any]], sim: SimServer) -> dict[str, float | None]:
    results = cw.get_metric_data(MetricDataQueries=queries, **window(sim))["MetricDataResults"]
    return {r["Id"]: (r["Values"][0] if r["Values"] else None) for r in results}


def test_botocore_speaks_aws_json_1_0_to_cloudwatch(
    start_sim: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore picks awsJson1.0 from the model's protocols; AWS_ENDPOINT_URL_CLOUDWATCH reaches the sim."""
    sim = start_sim(scenario(cdc_latency_source=30, cdc_latency_target=4500))
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", sim.url)
    cw = make_cloudwatch_client(None)
    assert cw.meta.service_model.resolved_protocol == "json"
    sent: list[dict[str, str]] = []
    cw.meta.events.register("before-send.cloudwatch", lambda request, **_: sent.append(dict(request.headers)))
    rid = resource_id(sim)
    values = latest(cw, [query("s", "CDCLatencySource", rid), query("t", "CDCLatencyTarget", rid)], sim)
    assert values == {"s": 30.0, "t": 4500.0}
    assert str(sent[0]["Content-Type"]).strip("b'") == "application/x-amz-json-1.0"
    assert str(sent[0]["X-Amz-Target"]).strip("b'") == "GraniteServiceVersion20100801.GetMetricData"
    assert sim.counters()["cloudwatch"] == {"GetMetricData": 1}


def test_one_datapoint_a_minute_latest_first(start_sim: Start) -> None:
    """A task running the whole window has 15 or 16 minutely points, newest first, minute-aligned."""
    sim = start_sim(scenario(cdc_latency_target=75))
    cw = make_cloudwatch_client(sim.url)
    [result] = cw.get_metric_data(
        MetricDataQueries=[query("t", "CDCLatencyTarget", resource_id(sim))], **window(sim)
    )["MetricDataResults"]
    stamps = result["Timestamps"]
    assert 15 <= len(stamps) <= 16 and set(result["Values"]) == {75.0}
    assert stamps == sorted(stamps, reverse=True) and all(ts.second == 0 for ts in stamps)
    assert result["StatusCode"] == "Complete"


@pytest.mark.parametrize(
    ("task", "dims"),
    [
        ({"cdc_latency_target": 75}, {"task_dim": "orders-cdc"}),  # the task's name is not the dimension
        ({"cdc_latency_target": 75}, {"instance": "other-rep"}),  # another instance
        ({}, {}),  # no knob: no datapoints
        ({"cdc_latency_target": 75, "status": "stopped", "stale": "1h"}, {}),  # not running
    ],
)
def test_no_datapoints(start_sim: Start, task: dict[str, Any], dims: dict[str, str]) -> None:
    """Wrong dimensions, no knob or a task not running: an empty, complete result, not an error."""
    sim = start_sim(scenario(**task))
    cw = make_cloudwatch_client(sim.url)
    rid = dims.pop("task_dim", resource_id(sim))
    [result] = cw.get_metric_data(
        MetricDataQueries=[query("t", "CDCLatencyTarget", rid, **dims)], **window(sim)
    )["MetricDataResults"]
    assert (result["Values"], result["StatusCode"]) == ([], "Complete")


def test_lag_follows_the_scenario_and_the_control_endpoint(start_sim: Start) -> None:
    """Scenario changes and set_cdc_latency move the latest value; a stopped task stops reporting."""
    sim = start_sim(scenario(cdc_latency_target=30, changes=[{"at": "10m", "cdc_latency_target": "2h"}]))
    cw = make_cloudwatch_client(sim.url)
    q = [query("t", "CDCLatencyTarget", resource_id(sim))]
    assert latest(cw, q, sim) == {"t": 30.0}
    sim.advance(600)
    assert latest(cw, q, sim) == {"t": 7200.0}
    reply = requests.post(f"{sim.url}/_sim/cdc_latency", json={"task": "orders-cdc", "target": 90}, timeout=5)
    assert reply.status_code == 200
    assert latest(cw, q, sim) == {"t": 90.0}
    make_client(sim.url).stop_replication_task(ReplicationTaskArn=sim.scenario.tasks[0].arn)
    sim.advance(16 * 60)
    assert latest(cw, q, sim) == {"t": None}


def test_more_than_500_queries_is_an_error(start_sim: Start) -> None:
    """500 queries are served; 501 are rejected the way CloudWatch rejects them."""
    sim = start_sim(build_fleet(250, 1, cdc_latency=(5, 6)))
    cw = make_cloudwatch_client(sim.url)
    tasks = sim.scenario.tasks
    queries = [
        query(f"{kind[10].lower()}{i}", kind, t.arn.rsplit(":", 1)[-1], t.replication_instance_id)
        for i, t in enumerate(tasks)
        for kind in ("CDCLatencySource", "CDCLatencyTarget")
    ]
    assert len(queries) == 500
    assert set(latest(cw, queries, sim).values()) == {5.0, 6.0}
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(
            MetricDataQueries=[*queries, query("extra", "CDCLatencyTarget", "X")], **window(sim)
        )
    assert error_code(excinfo) == "InvalidParameterValue"
    assert "must not have a size greater than 500" in str(excinfo.value)
    assert isinstance(excinfo.value, cw.exceptions.InvalidParameterValueException)


def test_datapoints_page_with_next_token(start_sim: Start) -> None:
    """MaxDatapoints cuts pages; botocore's paginator follows NextToken; a forged token is refused."""
    sim = start_sim(build_fleet(3, 1, cdc_latency=(5, 6)))
    cw = make_cloudwatch_client(sim.url)
    queries = [
        query(f"t{i}", "CDCLatencyTarget", t.arn.rsplit(":", 1)[-1], t.replication_instance_id)
        for i, t in enumerate(sim.scenario.tasks)
    ]
    pages = list(
        cw.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, PaginationConfig={"PageSize": 10}, **window(sim)
        )
    )
    assert len(pages) >= 4 and all("NextToken" in p for p in pages[:-1])
    points: dict[str, int] = {}
    for page in pages:
        for result in page["MetricDataResults"]:
            points[result["Id"]] = points.get(result["Id"], 0) + len(result["Values"])
    assert set(points) == {"t0", "t1", "t2"} and all(15 <= n <= 16 for n in points.values())
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(MetricDataQueries=queries, NextToken="forged", **window(sim))
    assert error_code(excinfo) == "InvalidNextToken"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Id": "Bad-id"}, "InvalidParameterValue"),
        ({"MetricStat": None, "Expression": "SUM(METRICS())"}, "InvalidParameterValue"),
    ],
)
def test_bad_queries_are_rejected(start_sim: Start, change: dict[str, Any], code: str) -> None:
    """Ids must start with a lowercase letter; the simulator serves MetricStat queries only."""
    sim = start_sim(scenario())
    cw = make_cloudwatch_client(sim.url)
    bad = {k: v for k, v in {**query("t", "CDCLatencyTarget", "X"), **change}.items() if v is not None}
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(MetricDataQueries=[bad], **window(sim))
    assert error_code(excinfo) == code


def test_list_metrics_filters_and_pages(start_sim: Start) -> None:
    """Both latency metrics per reporting task, filtered by dimension, 500 a page."""
    sim = start_sim(build_fleet(251, 1, cdc_latency=(1, 2)))
    cw = make_cloudwatch_client(sim.url)
    pages = list(cw.get_paginator("list_metrics").paginate(Namespace="AWS/DMS"))
    assert [len(p["Metrics"]) for p in pages] == [500, 2]
    rid = sim.scenario.tasks[7].arn.rsplit(":", 1)[-1]
    one = cw.list_metrics(Namespace="AWS/DMS", Dimensions=[{"Name": TASK, "Value": rid}])["Metrics"]
    assert {m["MetricName"] for m in one} == {"CDCLatencySource", "CDCLatencyTarget"}
    assert {d["Name"]: d["Value"] for d in one[0]["Dimensions"]} == {INSTANCE: "fleet-instance-1", TASK: rid}
    assert cw.list_metrics(Namespace="AWS/EC2")["Metrics"] == []
    assert sim.counters()["cloudwatch"] == {"ListMetrics": 4}


def test_cloudwatch_calls_skip_the_dms_bucket_and_dms_faults(start_sim: Start) -> None:
    """CloudWatch has its own quota: no DMS token is taken, and only rules naming a CloudWatch
    operation fire on it (AccessDenied comes back with CloudWatch's own code)."""
    sim = start_sim(scenario(cdc_latency_target=5), throttling=True)
    cw = make_cloudwatch_client(sim.url)
    q = [query("t", "CDCLatencyTarget", resource_id(sim))]
    sim.set_faults([FaultRule("http_500"), FaultRule("access_denied", op="GetMetricData", count=1)])
    tokens = sim.tokens()
    with pytest.raises(ClientError) as excinfo:
        latest(cw, q, sim)
    assert error_code(excinfo) == "AccessDenied"
    assert latest(cw, q, sim) == {"t": 5.0}  # the any-op http_500 rule is for DMS
    assert sim.tokens() >= tokens
    assert sim.counters()["cloudwatch"] == {"GetMetricData": 2}
    assert sim.counters()["cloudwatch_errors"] == {"GetMetricData": 1}
