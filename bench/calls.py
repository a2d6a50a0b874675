"""``python -m bench.calls TASKS TABLES [--replications N]``: count one sweep's DMS calls against the floor.

Issue 2's figure: a sweep of 250 tasks x 1,200 tables must make exactly
``ceil(250/100) + 250 x ceil(1200/500) = 753`` calls, plus one DescribeReplicationInstances while
the instance names (the CDC lag's CloudWatch dimensions) are not cached, plus one DescribeReplications
(DMS Serverless; ``--replications N`` adds N replications of TABLES tables each): 755, as counted
by the simulator. DMS's bucket runs at the older quota (100 at 4/s), the worst case.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

import boto3

from bench.plan import DMS_CAPACITY, DMS_REFILL, sweep_floor
from bot.app.wiring import build_sweeps
from bot.core.models import Policy
from bot.settings import ApiBudget, DmsApiSettings, Settings, Target
from bot.sim import SimServer, build_fleet

REGION = "eu-west-1"


def _session(target: Target) -> boto3.Session:
    return boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION)  # noqa: S106


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__)
    parser.add_argument("tasks", type=int)
    parser.add_argument("tables", type=int)
    parser.add_argument("--replications", type=int, default=0, help="DMS Serverless replications")
    parser.add_argument("--time-scale", type=float, default=50.0, help="simulator clock and budget speed-up")
    args = parser.parse_args(argv)
    scale = args.time_scale
    settings = Settings(
        targets=(Target(name="bench", region=REGION),),
        dms_api=DmsApiSettings(budget=ApiBudget(rate=2.0 * scale, burst=50)),
        policy=Policy(stuck_after=None),
    )
    fleet = build_fleet(args.tasks, args.tables, replications=args.replications)
    with SimServer(
        fleet, time_scale=scale, throttling=True, bucket_capacity=DMS_CAPACITY, bucket_refill=DMS_REFILL
    ) as sim:
        checker = build_sweeps(
            settings, session_factory=_session, endpoint_url=sim.url, clock=lambda: datetime.now(UTC)
        )
        started = time.monotonic()
        report = checker.sweep()
        elapsed = time.monotonic() - started
        counters = sim.counters()
    floor = sweep_floor(args.tasks, args.tables, args.replications)
    print(
        f"{args.tasks} tasks + {args.replications} serverless replications x {args.tables} tables: {sum(counters['calls'].values())} DMS calls "
        f"(floor {floor}; {counters['calls']}), throttled {sum(counters['throttled'].values())}, "
        f"CloudWatch calls {sum(counters['cloudwatch'].values())} ({counters['cloudwatch']}), "
        f"tasks judged {report.summary.tasks}, errors {report.summary.errors}, "
        f"{elapsed:.1f}s at time scale {scale:g}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
