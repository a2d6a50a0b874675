"""CloudWatch's GetMetricData and ListMetrics for DMS task metrics, as unmodified boto3 calls them.

botocore 1.44.8's CloudWatch model lists ``protocols: [smithy-rpc-v2-cbor, json, query]`` and
botocore picks the first it supports in its own priority order (``json`` before ``smithy-rpc-v2-cbor``),
so on the wire it is awsJson1.0: ``POST /``, ``X-Amz-Target: GraniteServiceVersion20100801.<Op>``,
timestamps as epoch seconds. The service is ``awsQueryCompatible``: errors carry the query-protocol
code in ``x-amzn-query-error`` and botocore reports that code (``InvalidParameterValue``, ...).

Datapoints exist for ``AWS/DMS`` ``CDCLatencySource``/``CDCLatencyTarget`` with exactly the dimensions
``ReplicationInstanceIdentifier`` + ``ReplicationTaskIdentifier`` (the task's resource id), one per
minute while the task is running and its scenario knob is set, valued as the knob was then. DMS
Serverless replications publish the same way under the one dimension ``serverless.py`` names
(``ReplicationConfigId`` = ``<account>:<config resource id>``, UNVERIFIED).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.sim.errors import SimError
from bot.sim.serverless import metric_sources
from bot.sim.state import RUNNING, SimState, TaskRuntime

TARGET_PREFIX = "GraniteServiceVersion20100801."
NAMESPACE = "AWS/DMS"
METRICS = {"CDCLatencySource": "cdc_latency_source", "CDCLatencyTarget": "cdc_latency_target"}
INSTANCE_DIM, TASK_DIM = "ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"
MAX_QUERIES = 500  # GetMetricData's documented limit per request
MAX_DATAPOINTS = 100_800  # GetMetricData's default and maximum datapoints per response
LIST_PAGE = 500  # ListMetrics returns up to 500 metrics per call
_ID = re.compile(r"[a-z][a-zA-Z0-9_]{0,254}")
_STATS = re.compile(r"Average|Maximum|Minimum|Sum|SampleCount|p\d{1,2}(\.\d+)?")

Params = Mapping[str, Any]
Index = Mapping[frozenset[tuple[str, str]], TaskRuntime]  # {(dimension name, value)} -> task or replication


def invalid(message: str, code: str = "InvalidParameterValue") -> SimError:
    return SimError(code, message)


def get_metric_data(state: SimState, params: Params) -> dict[str, Any]:
    """One page of datapoints for up to 500 MetricStat queries, latest first unless ScanBy says not."""
    start, end = _epoch(params, "StartTime"), _epoch(params, "EndTime")
    if start >= end:
        raise invalid("The parameter StartTime must be less than the parameter EndTime.")
    queries = _queries(params)
    descending = params.get("ScanBy", "TimestampDescending") != "TimestampAscending"
    limit = params.get("MaxDatapoints", MAX_DATAPOINTS)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise invalid("The parameter MaxDatapoints must be a positive integer.")
    offset = _token_offset(params.get("NextToken"))
    index = {frozenset((d["Name"], d["Value"]) for d in dims): task for task, dims, _ in _sources(state)}
    series = [_points(state, index, query, (start, end), descending) for query in queries]
    results, total, cursor = [], sum(len(points) for _, points in series), 0
    for query_id, points in series:
        first, last = max(offset, cursor), min(offset + limit, cursor + len(points))
        if first < last or (not points and offset == 0):
            taken = points[first - cursor : last - cursor] if first < last else []
            results.append(_result(query_id, taken, partial=cursor + len(points) > offset + limit))
        cursor += len(points)
    response: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if offset + limit < total:
        response["NextToken"] = _token(offset + limit)
    return response


def list_metrics(state: SimState, params: Params) -> dict[str, Any]:
    """The DMS latency metrics of every task that reports them, filtered like CloudWatch, 500 a page."""
    namespace, name = params.get("Namespace"), params.get("MetricName")
    wanted = params.get("Dimensions") or []
    if not isinstance(wanted, list) or not all(isinstance(d, Mapping) and "Name" in d for d in wanted):
        raise invalid("The parameter Dimensions must be a list of {Name, Value} filters.")
    metrics = [
        {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions}
        for _, dimensions, listed in _sources(state)
        if listed
        for metric in METRICS
        if namespace in (None, NAMESPACE)
        and name in (None, metric)
        and all(_has_dimension(dimensions, want) for want in wanted)
    ]
    offset = _token_offset(params.get("NextToken"))
    response: dict[str, Any] = {"Metrics": metrics[offset : offset + LIST_PAGE]}
    if offset + LIST_PAGE < len(metrics):
        response["NextToken"] = _token(offset + LIST_PAGE)
    return response


def _queries(params: Params) -> list[Params]:
    queries = params.get("MetricDataQueries")
    if not isinstance(queries, list) or not queries:
        raise invalid("The parameter MetricDataQueries is required.", "MissingParameter")
    if len(queries) > MAX_QUERIES:
        raise invalid(f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.")
    seen: set[str] = set()
    for n, query in enumerate(queries, start=1):
        where = f"MetricDataQueries.member.{n}"
        if not isinstance(query, Mapping) or not _ID.fullmatch(str(query.get("Id", ""))):
            raise invalid(f"The value for parameter {where}.Id must start with a lowercase letter.")
        if query["Id"] in seen:
            raise invalid(f"The value {query['Id']} for parameter {where}.Id is not unique.")
        seen.add(query["Id"])
        if not isinstance(query.get("MetricStat"), Mapping):
            raise invalid(
                f"The parameter {where}.MetricStat is required (the simulator serves no Expression)."
            )
        _check_stat(query["MetricStat"], where)
    return [q for q in queries if q.get("ReturnData", True)]


def _check_stat(stat: Params, where: str) -> None:
    metric, period = stat.get("Metric"), stat.get("Period")
    if not isinstance(metric, Mapping) or not isinstance(metric.get("MetricName"), str):
        raise invalid(f"The parameter {where}.MetricStat.Metric.MetricName is required.", "MissingParameter")
    if (
        isinstance(period, bool)
        or not isinstance(period, int)
        or not (period in (1, 5, 10, 30) or period % 60 == 0)
    ):
        raise invalid(f"The parameter {where}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.")
    if not _STATS.fullmatch(str(stat.get("Stat", ""))):
        raise invalid(f"The parameter {where}.MetricStat.Stat is not a statistic the simulator knows.")


def _points(
    state: SimState, index: Index, query: Params, window: tuple[float, float], descending: bool
) -> tuple[str, list[tuple[float, float]]]:
    """(id, [(timestamp, value)]) for one query: one point per period while the task ran with lag."""
    stat, (start, end) = query["MetricStat"], window
    found = _series(index, stat["Metric"])
    if found is None:
        return query["Id"], []
    task, field = found
    period, now = stat["Period"], state.now()
    samples = max(1, period // 60)
    scale = {"Sum": samples, "SampleCount": samples}.get(stat["Stat"])
    points: list[tuple[float, float]] = []
    moment = math.floor(start / period) * period
    while moment < end and moment <= state.epoch(now):
        at = min(moment - state.epoch0 + period, now)  # the period's end in scenario time, or now
        ts = task.state(at)
        value = getattr(ts, field)
        if ts.status == RUNNING and value is not None:
            shown = float(samples) if stat["Stat"] == "SampleCount" else float(value) * (scale or 1)
            points.append((float(moment), shown))
        moment += period
    return query["Id"], points[::-1] if descending else points


def _series(index: Index, metric: Params) -> tuple[TaskRuntime, str] | None:
    """The task (or replication) and knob a metric names, when namespace, name and dimensions match
    exactly."""
    field = METRICS.get(metric.get("MetricName", ""))
    dims = metric.get("Dimensions") or []
    pairs = {str(d.get("Name")): str(d.get("Value")) for d in dims if isinstance(d, Mapping)}
    if metric.get("Namespace") != NAMESPACE or field is None or len(pairs) != len(dims):
        return None
    task = index.get(frozenset(pairs.items()))
    return None if task is None else (task, field)


def _sources(state: SimState) -> list[tuple[TaskRuntime, list[dict[str, str]], bool]]:
    """(task or replication, its dimensions, listed by ListMetrics) for everything that publishes."""
    tasks = [(task, _dimensions(task), task.spec.emits_latency()) for task in state.live_tasks()]
    return [*tasks, *metric_sources(state)]


def _result(query_id: str, points: list[tuple[float, float]], *, partial: bool) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": [ts for ts, _ in points],
        "Values": [value for _, value in points],
        "StatusCode": "PartialData" if partial else "Complete",
    }


def _dimensions(task: TaskRuntime) -> list[dict[str, str]]:
    return [
        {"Name": INSTANCE_DIM, "Value": task.spec.replication_instance_id},
        {"Name": TASK_DIM, "Value": _resource_id(task)},
    ]


def _has_dimension(dimensions: list[dict[str, str]], want: Mapping[str, Any]) -> bool:
    return any(d["Name"] == want.get("Name") and want.get("Value") in (None, d["Value"]) for d in dimensions)


def _resource_id(task: TaskRuntime) -> str:
    return task.spec.arn.rsplit(":", 1)[-1]


def _epoch(params: Params, key: str) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"The parameter {key} is required.", "MissingParameter")
    return float(value)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["cw", offset]).encode()).decode("ascii")


def _token_offset(token: object) -> int:
    if token is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(token).encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        decoded = None
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or decoded[0] != "cw"
        or not isinstance(decoded[1], int)
    ):
        raise invalid("The service returned an invalid next token.", "InvalidNextToken")
    return max(0, decoded[1])


OPERATIONS: dict[str, Callable[[SimState, Params], dict[str, Any]]] = {
    "GetMetricData": get_metric_data,
    "ListMetrics": list_metrics,
}
