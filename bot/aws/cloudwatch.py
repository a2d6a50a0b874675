"""The CloudWatch gateway: CDC lag (``CDCLatencySource``/``CDCLatencyTarget``) for running CDC tasks.

- GetMetricData, up to 500 queries a call (2 per task: 250 tasks), pages followed with botocore's
  paginator; the window is the last 15 minutes at 1-minute periods and the latest datapoint wins.
- Dimensions: ``ReplicationInstanceIdentifier`` (the instance's name, from
  ``DmsGateway.instance_ids``) and ``ReplicationTaskIdentifier`` = the task's resource id, the last
  part of its ARN (reference/dms-api.md section 5).
- CloudWatch's quota (50 TPS for GetMetricData) is its own, so these calls take no DMS token; they
  are counted in ``calls`` (and ``on_call``) for ``/metrics``.
- Every failure becomes one :class:`bot.errors.CloudWatchError`: the caller reports one error line
  for the target, never a false OK.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from bot.aws.errors import one_line, to_bot_error
from bot.core.cutover import LatencyWindow
from bot.core.models import CdcLatency, Task
from bot.errors import CloudWatchError

NAMESPACE = "AWS/DMS"
SOURCE, TARGET = "CDCLatencySource", "CDCLatencyTarget"
MAX_QUERIES = 500  # GetMetricData's limit per call
WINDOW = timedelta(minutes=15)
PERIOD = 60  # seconds; DMS publishes task metrics every minute
CDC_TYPES = frozenset({"cdc", "full-load-and-cdc"})
_BROKEN = {"Forbidden", "InternalError"}  # per-query StatusCodes that mean "could not read it"


def cloudwatch_client(
    session: Any, *, region: str | None = None, endpoint_url: str | None = None, config: Any = None
) -> Any:
    """A CloudWatch client from a boto3 session (``AWS_ENDPOINT_URL_CLOUDWATCH`` is honoured by boto3)."""
    return session.client("cloudwatch", region_name=region, endpoint_url=endpoint_url, config=config)


def utc_now() -> datetime:
    return datetime.now(UTC)


def wants_latency(task: Task) -> bool:
    """Only running CDC tasks emit latency datapoints worth asking for."""
    return task.status == "running" and task.migration_type in CDC_TYPES


class CloudWatchGateway:
    """CloudWatch for one target. ``client`` is a boto3 CloudWatch client."""

    def __init__(
        self,
        client: Any,
        *,
        clock: Callable[[], datetime] = utc_now,
        stat: str = "Maximum",
        on_call: Callable[[str], None] | None = None,
        max_datapoints: int | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.max_datapoints = max_datapoints  # per page; None = CloudWatch's default (100,800)
        self.stat = stat  # the worst lag of the latest minute: an alarm should not average it away
        self.calls: Counter[str] = Counter()
        self._on_call = on_call
        self._lock = threading.Lock()
        client.meta.events.register("before-send.cloudwatch", self._before_send)

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        """Called by botocore before every HTTP attempt (retries included): count it."""
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.calls[operation] += 1
        if self._on_call is not None:
            self._on_call(operation)

    def latency(self, tasks: Sequence[Task], instance_ids: Mapping[str, str]) -> dict[str, CdcLatency]:
        """Latest lag per task ARN, for running CDC tasks whose instance identifier is known.

        A task asked about but without datapoints maps to ``CdcLatency(None, None)``; tasks not asked
        about (not running, not CDC, instance unknown) are left out. Raises CloudWatchError.
        """
        asked = [t for t in tasks if wants_latency(t) and t.replication_instance_arn in instance_ids]
        per_call = MAX_QUERIES // 2
        found: dict[str, CdcLatency] = {}
        for start in range(0, len(asked), per_call):
            batch = asked[start : start + per_call]
            latest = self._latest(self._queries(batch, instance_ids))
            for i, task in enumerate(batch):
                found[task.arn] = CdcLatency(latest.get(f"s{i}"), latest.get(f"t{i}"))
        return found

    def _queries(self, batch: Sequence[Task], instance_ids: Mapping[str, str]) -> list[dict[str, Any]]:
        queries: list[dict[str, Any]] = []
        for i, task in enumerate(batch):
            dimensions = [
                {
                    "Name": "ReplicationInstanceIdentifier",
                    "Value": instance_ids[task.replication_instance_arn or ""],
                },
                {"Name": "ReplicationTaskIdentifier", "Value": task.resource_id},
            ]
            for prefix, metric in (("s", SOURCE), ("t", TARGET)):
                stat = {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
                    "Period": PERIOD,
                    "Stat": self.stat,
                }
                queries.append({"Id": f"{prefix}{i}", "MetricStat": stat, "ReturnData": True})
        return queries

    def _latest(self, queries: list[dict[str, Any]]) -> dict[str, float]:
        """Query id -> value of its newest datapoint, over every page of one GetMetricData call."""
        newest: dict[str, tuple[datetime, float]] = {}
        try:
            for result in self._results(queries):
                if result.get("StatusCode") in _BROKEN:
                    raise CloudWatchError(
                        f"CloudWatch GetMetricData: {result['StatusCode']} for {result.get('Id')}",
                        code=str(result["StatusCode"]),
                    )
                for stamp, value in zip(
                    result.get("Timestamps") or [], result.get("Values") or [], strict=False
                ):
                    seen = newest.get(result["Id"])
                    if seen is None or stamp > seen[0]:
                        newest[result["Id"]] = (stamp, float(value))
        except (ClientError, BotoCoreError, ValueError, TypeError, KeyError) as exc:
            raise _error(exc) from None
        return {qid: value for qid, (_, value) in newest.items()}

    def latency_window(self, task: Task, instance_id: str, *, seconds: float) -> LatencyWindow:
        """Every 1-minute datapoint of both lag metrics over the last ``seconds`` (the cutover gate's
        ``steady``): one GetMetricData call (two queries), its pages followed. Raises CloudWatchError."""
        queries = self._queries([task], {task.replication_instance_arn or "": instance_id})
        series: dict[str, list[tuple[datetime, float]]] = {"s0": [], "t0": []}
        try:
            for result in self._results(queries, timedelta(seconds=seconds)):
                if result.get("StatusCode") in _BROKEN:
                    raise CloudWatchError(
                        f"CloudWatch GetMetricData: {result['StatusCode']} for {result.get('Id')}",
                        code=str(result["StatusCode"]),
                    )
                points = zip(result.get("Timestamps") or [], result.get("Values") or [], strict=False)
                series[result["Id"]].extend((stamp, float(value)) for stamp, value in points)
        except (ClientError, BotoCoreError, ValueError, TypeError, KeyError) as exc:
            raise _error(exc) from None
        return LatencyWindow(
            source=tuple(sorted(series["s0"])),
            target=tuple(sorted(series["t0"])),
            expected=max(1, int(seconds // PERIOD)),
        )

    def _results(self, queries: list[dict[str, Any]], window: timedelta = WINDOW) -> Iterator[dict[str, Any]]:
        end = self.clock()
        pages = self.client.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries,
            StartTime=end - window,
            EndTime=end,
            ScanBy="TimestampDescending",
            PaginationConfig={"PageSize": self.max_datapoints} if self.max_datapoints else {},
        )
        for page in pages:
            yield from page.get("MetricDataResults") or []


def _error(exc: Exception) -> CloudWatchError:
    """One line naming CloudWatch and AWS's code; botocore's texts carry no credentials."""
    where = "CloudWatch GetMetricData"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        return CloudWatchError(
            f"{where}: {code}: {one_line(str(error.get('Message') or 'no message'))}", code=code
        )
    if isinstance(
        exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError
    ):
        return CloudWatchError(f"{where}: cannot reach CloudWatch ({one_line(str(exc))})", code="Unavailable")
    if isinstance(exc, BotoCoreError):
        mapped = to_bot_error(exc)  # credentials, region: the same words as for DMS
        return CloudWatchError(f"{where}: {mapped}", code=mapped.code)
    return CloudWatchError(
        f"{where}: the bot cannot read the response ({type(exc).__name__})", code="MalformedResponse"
    )
