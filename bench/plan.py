"""What a benchmark run measures: the fleets, their time scales, and the budgets being compared.

Time scaling: the simulator runs scenario time at ``time_scale`` x real time (its bucket refills
that much faster) and the bot's budget is multiplied by the same factor, so every
ratio that matters (bot share / DMS bucket, calls / rate) is the real one, in a fraction of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.sim.fleet import TASKS_PER_INSTANCE

RATE = 2.0  # the bot's default share, calls per second (real time)
BURST = 50  # the bot's default burst
# DMS's bucket per account and region, as the benchmark runs it: the older, smaller quota (100 at
# 4/s), the worst case. DMS's current quota page says 200 at 8/s; the bot's default share is the same.
DMS_CAPACITY = 100
DMS_REFILL = 4.0  # tokens per second
PROBLEMS = 0.001  # unhealthy fraction of tables in the synthetic fleets
SEED = 5


def sweep_floor(tasks: int, tables: int, replications: int = 0) -> int:
    """The fewest DMS calls a first sweep of a simulated fleet can make: DESIGN.md's floor for both
    kinds (``replications`` DMS Serverless replications of ``tables`` tables each; listing them costs
    one call even when there are none) and one instance listing for the tasks' CDC lag."""
    instances = math.ceil(tasks / TASKS_PER_INSTANCE)
    task_calls = math.ceil(tasks / 100) + tasks * math.ceil(tables / 500) + math.ceil(instances / 100)
    return task_calls + max(1, math.ceil(replications / 100)) + replications * math.ceil(tables / 500)


@dataclass(frozen=True, slots=True)
class FleetSpec:
    tasks: int
    tables: int
    time_scale: float
    questions: int = 20  # /dms status questions asked during the sweep
    replications: int = 0  # DMS Serverless replications beside the tasks, ``tables`` tables each
    original: bool = True  # also run the original tool (it knows tasks only)

    @property
    def name(self) -> str:
        serverless = f" + {self.replications} serverless" if self.replications else ""
        return f"{self.tasks}{serverless} x {self.tables:,}"

    @property
    def watched(self) -> int:
        """Tasks and replications: what a sweep judges."""
        return self.tasks + self.replications

    @property
    def floor_calls(self) -> int:
        """ceil(tasks/100) listing calls + ceil(tables/500) statistics calls per task, and on a cold
        cache ceil(instances/100) DescribeReplicationInstances (the CDC lag's CloudWatch dimensions);
        max(1, ceil(replications/100)) + ceil(tables/500) per replication for DMS Serverless."""
        return sweep_floor(self.tasks, self.tables, self.replications)

    @property
    def original_calls(self) -> int:
        """One filtered DescribeReplicationTasks per task + ceil(tables/100) statistics calls."""
        return self.tasks * (1 + max(1, math.ceil(self.tables / 100)))


@dataclass(frozen=True, slots=True)
class AckSpec:
    tasks: int
    tables: int
    time_scale: float
    interval: float = 0.25  # real seconds between slash commands


@dataclass(frozen=True, slots=True)
class ReplicasSpec:
    """One and two ``serve --http`` replicas sharing the DMS budget (see :mod:`bench.replicas`)."""

    tasks: int
    tables: int
    time_scale: float

    @property
    def name(self) -> str:
        return f"{self.tasks} x {self.tables:,}"


@dataclass(frozen=True, slots=True)
class Plan:
    fleets: tuple[FleetSpec, ...]
    ack: AckSpec | None
    pool_check: FleetSpec | None = None  # swept twice on a slow DMS: fixed pool, then measured pool
    dms_latency: float = 0.25  # seconds one simulated DMS call takes, in real-time equivalent
    slow_dms_latency: float = 1.0  # the same, for the pool check
    original: bool = True
    replicas: ReplicasSpec | None = None
    note: str = ""


FULL = Plan(
    fleets=(
        FleetSpec(20, 50, time_scale=25),
        FleetSpec(600, 300, time_scale=10),
        FleetSpec(50, 5000, time_scale=6),
        FleetSpec(300, 300, time_scale=10, replications=100, original=False),
    ),
    ack=AckSpec(200, 300, time_scale=5),
    pool_check=FleetSpec(300, 300, time_scale=10, questions=0),
    replicas=ReplicasSpec(300, 300, time_scale=10),
)
QUICK = Plan(
    fleets=(
        FleetSpec(10, 50, time_scale=25, questions=8),
        FleetSpec(120, 300, time_scale=10, questions=8),
        FleetSpec(10, 2000, time_scale=10, questions=8),
        FleetSpec(60, 300, time_scale=10, questions=8, replications=20, original=False),
    ),
    ack=AckSpec(100, 300, time_scale=5),
    pool_check=FleetSpec(200, 300, time_scale=10, questions=0),
    replicas=ReplicasSpec(120, 300, time_scale=10),
    note="quick run (python -m bench --quick): smaller fleets than the issue's",
)
