"""CDC lag for one target's listed tasks: instance names from DMS (cached), datapoints from CloudWatch.

One GetMetricData call per 250 running CDC tasks; DescribeReplicationInstances only when an instance
is new to the cache. A CloudWatch failure is one error line for the target: the tasks are still
judged on their tables, and the report says their lag could not be read (never a false OK).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.aws.cloudwatch import wants_latency
from bot.aws.lag_dimensions import Dimensions
from bot.core.models import LAG_UNREADABLE, CdcLatency, Task, TaskError, TaskKind
from bot.errors import BotError

if TYPE_CHECKING:
    from bot.app.sweeps import Watched


def fetch_lag(watched: Watched, tasks: Sequence[Task]) -> tuple[dict[str, CdcLatency], TaskError | None]:
    """Each running CDC task's latest lag (by ARN), or the one error that stopped the fetch.

    When only the discovery of the DMS Serverless replications' series fails (ListMetrics not
    allowed, say), the tasks' lag is still read, and the error names what was not.
    """
    wanted = [t for t in tasks if wants_latency(t)]
    cloudwatch = watched.cloudwatch
    if cloudwatch is None or not wanted:
        return {}, None
    replications = [t for t in wanted if t.kind is TaskKind.SERVERLESS]
    discovered: dict[str, Dimensions] = {}
    problem: TaskError | None = None
    try:
        discovered = cloudwatch.serverless_dimensions(replications) if replications else {}
    except BotError as exc:
        problem = _unreadable(watched, f"CDC lag of DMS Serverless replications could not be read: {exc}")
    try:
        instances = watched.gateway.instance_ids(t.replication_instance_arn for t in wanted)
        return cloudwatch.latency(wanted, instances, discovered), problem
    except BotError as exc:
        return {}, _unreadable(watched, f"CDC lag could not be read: {exc}")


def _unreadable(watched: Watched, error: str) -> TaskError:
    return TaskError(target=watched.target.name, task_id=None, error=error, kind=LAG_UNREADABLE)
