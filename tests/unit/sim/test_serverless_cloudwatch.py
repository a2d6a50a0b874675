"""CloudWatch for DMS Serverless replications: ListMetrics discovery (with NextToken paging) and
GetMetricData under the serverless dimension, through unmodified boto3 over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from bot.sim import Scenario, SimServer, build_fleet
from bot.sim.serverless import SERVERLESS_METRIC_DIMENSION, SERVERLESS_METRIC_VALUE
from tests.support.sim_helpers import make_cloudwatch_client

Start = Callable[..., SimServer]
ACCOUNT = "123456789012"
MIXED = Scenario.from_dict(
    {
        "tasks": [{"id": "orders-cdc", "cdc_latency_source": 2}, {"id": "quiet-cdc"}],
        "replications": [
            {"id": "orders-sl", "resource_id": "OZRAVXDSNFCUTG5UZNI6HRDWVY", "cdc_latency_target": 42},
            {"id": "idle-sl"},  # running, no latency knob: listed, no datapoints
            {"id": "stopped-sl", "status": "stopped"},  # neither running nor reporting: not listed
            {
                "id": "failing-sl",
                "cdc_latency_source": 7,
                "changes": [{"at": "5m", "status": "failed", "failure_messages": ["boom"]}],
            },
        ],
    }
)


def dimension(resource: str) -> dict[str, str]:
    return {"Name": "ReplicationConfigId", "Value": f"{ACCOUNT}:{resource}"}


def rid(sim: SimServer, ident: str) -> str:
    return next(r.resource_id for r in sim.scenario.replications if r.identifier == ident)


def window(sim: SimServer, minutes: int = 15) -> dict[str, datetime]:
    now = datetime.fromtimestamp(sim.epoch(), UTC)
    return {"StartTime": now - timedelta(minutes=minutes), "EndTime": now + timedelta(seconds=1)}


def query(qid: str, metric: str, dims: list[dict[str, str]]) -> dict[str, Any]:
    metric_def = {"Namespace": "AWS/DMS", "MetricName": metric, "Dimensions": dims}
    return {"Id": qid, "MetricStat": {"Metric": metric_def, "Period": 60, "Stat": "Maximum"}}


def latest(cw: Any, sim: SimServer, queries: list[dict[str, Any]]) -> dict[str, float | None]:
    results = cw.get_metric_data(MetricDataQueries=queries, **window(sim))["MetricDataResults"]
    return {r["Id"]: (r["Values"][0] if r["Values"] else None) for r in results}


def test_the_dimension_is_the_documented_guess() -> None:
    """ReplicationConfigId = "<account>:<config resource id>" (UNVERIFIED, one constant pair)."""
    assert SERVERLESS_METRIC_DIMENSION == "ReplicationConfigId"
    assert SERVERLESS_METRIC_VALUE == "{account}:{resource_id}"


def test_list_metrics_shows_running_replications_under_their_dimension(start_sim: Start) -> None:
    """Both latency metrics for tasks that report lag (instance + task dimensions) and for serverless
    replications that run or report lag (one ReplicationConfigId dimension); a stopped replication
    that never reported is not listed."""
    sim = start_sim(MIXED)
    cw = make_cloudwatch_client(sim.url)
    metrics = cw.list_metrics(Namespace="AWS/DMS", MetricName="CDCLatencySource")["Metrics"]
    dims = [tuple((d["Name"], d["Value"]) for d in m["Dimensions"]) for m in metrics]
    task_rid = sim.scenario.tasks[0].arn.rsplit(":", 1)[-1]
    assert dims == [
        (("ReplicationInstanceIdentifier", "dms-instance-1"), ("ReplicationTaskIdentifier", task_rid)),
        (("ReplicationConfigId", f"{ACCOUNT}:OZRAVXDSNFCUTG5UZNI6HRDWVY"),),
        (("ReplicationConfigId", f"{ACCOUNT}:{rid(sim, 'idle-sl')}"),),
        (("ReplicationConfigId", f"{ACCOUNT}:{rid(sim, 'failing-sl')}"),),
    ]
    one = cw.list_metrics(Namespace="AWS/DMS", Dimensions=[dimension("OZRAVXDSNFCUTG5UZNI6HRDWVY")])
    assert sorted(m["MetricName"] for m in one["Metrics"]) == ["CDCLatencySource", "CDCLatencyTarget"]
    by_name = cw.list_metrics(Namespace="AWS/DMS", Dimensions=[{"Name": "ReplicationConfigId"}])["Metrics"]
    assert len(by_name) == 6  # 3 replications x 2 metrics


def test_get_metric_data_answers_for_the_serverless_dimension(start_sim: Start) -> None:
    """Minutely points while the replication runs, none once it has failed; a wrong value, or the
    dimension with a task's instance dimension added, matches nothing."""
    sim = start_sim(MIXED)
    cw = make_cloudwatch_client(sim.url)
    orders, failing = dimension("OZRAVXDSNFCUTG5UZNI6HRDWVY"), dimension(rid(sim, "failing-sl"))
    sim.advance(120)
    queries = [
        query("o", "CDCLatencyTarget", [orders]),
        query("f", "CDCLatencySource", [failing]),
        query("i", "CDCLatencySource", [dimension(rid(sim, "idle-sl"))]),
        query(
            "w", "CDCLatencyTarget", [{"Name": "ReplicationConfigId", "Value": "OZRAVXDSNFCUTG5UZNI6HRDWVY"}]
        ),
        query(
            "x",
            "CDCLatencyTarget",
            [orders, {"Name": "ReplicationInstanceIdentifier", "Value": "dms-instance-1"}],
        ),
    ]
    assert latest(cw, sim, queries) == {"o": 42.0, "f": 7.0, "i": None, "w": None, "x": None}
    sim.advance(600)
    [result] = cw.get_metric_data(MetricDataQueries=[queries[1]], **window(sim, 3))["MetricDataResults"]
    assert result["Values"] == []  # failed at 5 minutes: no datapoints in the last 3


def test_cdc_latency_control_endpoint_takes_a_replication(start_sim: Start) -> None:
    """POST /_sim/cdc_latency with a replication id changes what CloudWatch reports from now on."""
    sim = start_sim(MIXED)
    cw = make_cloudwatch_client(sim.url)
    answer = requests.post(
        f"{sim.url}/_sim/cdc_latency", json={"task": "idle-sl", "source": 900, "target": None}, timeout=5
    )
    assert answer.status_code == 200
    sim.advance(61)
    assert latest(cw, sim, [query("i", "CDCLatencySource", [dimension(rid(sim, "idle-sl"))])]) == {"i": 900.0}


def test_list_metrics_pages_with_next_token_across_replications_and_tasks(start_sim: Start) -> None:
    """150 tasks and 250 replications reporting lag: 800 metrics, 500 a page, every one once."""
    sim = start_sim(build_fleet(150, 1, replications=250, cdc_latency=(1.0, 2.0)))
    cw = make_cloudwatch_client(sim.url)
    first = cw.list_metrics(Namespace="AWS/DMS")
    second = cw.list_metrics(Namespace="AWS/DMS", NextToken=first["NextToken"])
    assert len(first["Metrics"]) == 500 and len(second["Metrics"]) == 300 and "NextToken" not in second
    every = [
        (m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"]))
        for m in first["Metrics"] + second["Metrics"]
    ]
    assert len(set(every)) == 800
    serverless = [dims for _, dims in every if dims[0][0] == "ReplicationConfigId"]
    assert len(serverless) == 500 and all(value.startswith(f"{ACCOUNT}:") for ((_, value),) in serverless)
    pages = cw.get_paginator("list_metrics").paginate(
        Namespace="AWS/DMS", MetricName="CDCLatencyTarget", Dimensions=[{"Name": "ReplicationConfigId"}]
    )
    assert sum(len(page["Metrics"]) for page in pages) == 250
    assert sim.counters()["cloudwatch"] == {"ListMetrics": 3}
    assert sim.counters()["calls"] == {}  # CloudWatch does not touch the DMS bucket or counters
