"""Run a :class:`Plan`: every fleet, the slow-DMS pool check and the ``/dms`` ACK run, in order."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.ack import AckResult, run_ack
from bench.fleet import FleetResult, run_fleet
from bench.machine import machine
from bench.plan import Plan
from bench.replicas import run_replicas_bench
from tests.support.budget_replicas import BudgetRun

Echo = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BenchResults:
    plan: Plan
    machine: str
    started: datetime
    seconds: float
    fleets: tuple[FleetResult, ...]
    ack: AckResult | None
    pool: tuple[FleetResult, FleetResult] | None  # (fixed pool, measured pool) on a slow DMS
    replicas: tuple[BudgetRun, ...] = ()  # one replica, then two, sharing the DMS budget


def run_plan(plan: Plan, *, echo: Echo = print) -> BenchResults:
    started, clock = datetime.now(UTC), time.monotonic()
    fleets: list[FleetResult] = []
    for spec in plan.fleets:
        echo(f"fleet {spec.name} (time scale {spec.time_scale:g}) ...")
        original = plan.original and spec.original
        fleets.append(run_fleet(spec, dms_latency=plan.dms_latency, original=original))
    pool: tuple[FleetResult, FleetResult] | None = None
    if plan.pool_check is not None:
        spec = plan.pool_check
        echo(f"pool check {spec.name} with {plan.slow_dms_latency:g} s per DMS call ...")
        fixed = run_fleet(spec, dms_latency=plan.slow_dms_latency, original=False, adaptive=False)
        measured = run_fleet(spec, dms_latency=plan.slow_dms_latency, original=False, adaptive=True)
        pool = (fixed, measured)
    ack: AckResult | None = None
    if plan.ack is not None:
        echo(f"/dms ACK during a {plan.ack.tasks}-task sweep (serve --http) ...")
        ack = run_ack(plan.ack, dms_latency=plan.dms_latency)
    replicas: tuple[BudgetRun, ...] = ()
    if plan.replicas is not None:
        echo(f"one, then two serve --http replicas sharing the DMS budget ({plan.replicas.name}) ...")
        replicas = run_replicas_bench(plan.replicas)
    return BenchResults(
        plan=plan,
        machine=machine(),
        started=started,
        seconds=time.monotonic() - clock,
        fleets=tuple(fleets),
        ack=ack,
        pool=pool,
        replicas=replicas,
    )
