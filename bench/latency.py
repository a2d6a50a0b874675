"""``python -m bench.latency [TASKS]``: the calls a fleet's CDC-lag fetch costs, counted by the simulator.

Issue 12's figure. For a fleet of running CDC tasks: the task listing the sweep already makes,
DescribeReplicationInstances to learn the instances' identifiers (the CloudWatch dimension) at 100
a call, cached for an hour so later sweeps make none, and GetMetricData at 250 tasks (500 queries) a
call. CloudWatch calls take nothing from the DMS budget; DMS calls here are on top of the sweep's
DescribeTableStatistics (``tasks x ceil(tables/500)``), which the lag fetch does not change.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3

from bot.aws.cloudwatch import CloudWatchGateway, cloudwatch_client
from bot.aws.dms import DmsGateway
from bot.core.selectors import Selection
from bot.sim import SimServer, build_fleet

REGION = "eu-west-1"


@dataclass(frozen=True)
class LatencyCalls:
    """Calls by operation, as the simulator counted them, for a first and a second (cached) sweep."""

    tasks: int
    instances: int
    tasks_with_lag: int
    first_sweep: dict[str, int]
    second_sweep: dict[str, int]


def latency_calls(tasks: int = 600) -> LatencyCalls:
    """List the fleet, learn instance identifiers, fetch CDC lag; twice, counting every call."""
    with SimServer(build_fleet(tasks, 1, cdc_latency=(30.0, 45.0)), throttling=True) as sim:
        session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION)  # noqa: S106
        dms = DmsGateway(session.client("dms", endpoint_url=sim.url))
        watch = CloudWatchGateway(
            cloudwatch_client(session, endpoint_url=sim.url),
            clock=lambda: datetime.fromtimestamp(sim.epoch(), UTC),
        )
        sweeps: list[dict[str, int]] = []
        found = 0
        for _ in range(2):
            sim.reset_counters()
            listed = dms.list_tasks(Selection())
            ids = dms.instance_ids(t.replication_instance_arn for t in listed)
            lag = watch.latency(listed, ids)
            found = sum(1 for value in lag.values() if value.target_seconds is not None)
            counted = sim.counters()
            sweeps.append(dict(sorted({**counted["calls"], **counted["cloudwatch"]}.items())))
        return LatencyCalls(tasks, len(sim.scenario.instances()), found, sweeps[0], sweeps[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("tasks", type=int, nargs="?", default=600)
    args = parser.parse_args(argv)
    result = latency_calls(args.tasks)
    print(
        f"{result.tasks} running CDC tasks on {result.instances} instances, lag read for {result.tasks_with_lag}"
    )
    for name, calls in (
        ("first sweep", result.first_sweep),
        ("next sweeps (cache warm)", result.second_sweep),
    ):
        print(f"{name}: " + ", ".join(f"{op} {n}" for op, n in calls.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
