"""From raw measurements to the figures the report shows, in real-time equivalent where it matters.

Scaling back: the simulator's clock, its bucket and the bot's budget all run ``S`` times faster,
and so does the simulated DMS latency; CPU work and botocore's retry sleeps do not. So a time made of
token waits and DMS latency is multiplied by ``S``, and the rest is taken as measured.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.botrun import Question
from bench.fleet import FleetResult, OriginalResult
from bench.plan import BURST, DMS_CAPACITY, DMS_REFILL, RATE


@dataclass(frozen=True, slots=True)
class BotFigures:
    sweep_calls: int
    floor_calls: int
    question_calls: int  # calls the mid-sweep questions made (they share the budget)
    all_calls: int  # every request the simulator received from the bot
    throttled: int  # throttled responses the simulator sent
    surfaced: int  # ThrottlingExceptions that reached the bot's report or answers
    errors: int
    sweep_seconds: float  # real-time equivalent
    scaled_sweep_seconds: float  # as measured in the scaled run
    floor_seconds: float  # (sweep calls + mid-sweep question calls - burst) / rate, real-time equiv.
    sweep_only_floor_seconds: float  # (floor calls - burst) / rate
    ratio: float | None  # sweep time / floor time (None when the burst covers the sweep's floor)
    status_p50: float | None  # /dms status latency, real-time equivalent, mid-sweep questions
    status_p95: float | None
    status_max: float | None
    asked: int
    mid_sweep: int
    share_of_dms: float  # fraction of DMS's 4/s refill the bot used during the sweep
    cpu_busy: float  # the bot process's CPU seconds per wall second during the run
    peak_rss_mb: float
    measured_latency: float | None  # the pool's measured seconds per call, real-time equivalent
    initial_workers: int


@dataclass(frozen=True, slots=True)
class OriginalFigures:
    calls: int
    throttled: int
    errors: int
    tasks_read: int
    scaled_seconds: float
    seconds: float  # real-time equivalent (see :func:`original_figures`)
    share_of_dms: float  # fraction of DMS's 4/s refill it used while it ran
    cpu_busy: float
    peak_rss_mb: float
    retries: str


def bot_figures(result: FleetResult) -> BotFigures:
    spec, bot = result.spec, result.bot
    scale, run = spec.time_scale, bot.run
    call_latency = result.dms_latency / scale  # what the simulator adds per call, scaled seconds
    floor_calls = run.sweep_calls + run.question_calls_in_sweep
    floor = max(0, floor_calls - BURST) / RATE
    budget_bound = spec.floor_calls > BURST and floor > 0  # else the burst covers the sweep
    asked = [q for q in run.questions if q.mid_sweep] or run.questions
    latencies = sorted(status_seconds(q, scale, call_latency) for q in asked)
    return BotFigures(
        sweep_calls=run.sweep_calls,
        floor_calls=spec.floor_calls,
        question_calls=run.question_calls,
        all_calls=bot.sim.calls,
        throttled=bot.sim.throttled,
        surfaced=run.surfaced_throttles,
        errors=sum(run.errors.values()),
        sweep_seconds=run.sweep_seconds * scale,
        scaled_sweep_seconds=run.sweep_seconds,
        floor_seconds=floor,
        sweep_only_floor_seconds=max(0, spec.floor_calls - BURST) / RATE,
        ratio=run.sweep_seconds * scale / floor if budget_bound else None,
        status_p50=percentile(latencies, 50),
        status_p95=percentile(latencies, 95),
        status_max=latencies[-1] if latencies else None,
        asked=len(run.questions),
        mid_sweep=sum(q.mid_sweep for q in run.questions),
        share_of_dms=_share(run.sweep_calls + run.question_calls_in_sweep, run.sweep_seconds * scale),
        cpu_busy=bot.process.cpu_seconds / max(bot.process.wall_seconds, 1e-9),
        peak_rss_mb=bot.process.peak_rss_mb,
        measured_latency=None if run.measured_latency is None else run.measured_latency * scale,
        initial_workers=run.initial_workers,
    )


def status_seconds(question: Question, scale: float, call_latency: float) -> float:
    """Token waits and simulated DMS latency scale back by ``scale``; CPU and loopback do not."""
    scaled = min(question.seconds, question.waited + question.calls * call_latency)
    return scaled * scale + (question.seconds - scaled)


def original_figures(result: FleetResult, original: OriginalResult) -> OriginalFigures:
    """Its time: replace each call's simulated latency by the real-time one, keep CPU and retry
    sleeps as measured; never less than DMS's own bucket allows ((calls - 100) / 4)."""
    scale, run, sim = result.spec.time_scale, original.run, original.sim
    latency_part = sim.calls * result.dms_latency / scale
    seconds = max(
        run.seconds - latency_part + sim.calls * result.dms_latency,
        max(0, sim.calls - DMS_CAPACITY) / DMS_REFILL,
    )
    return OriginalFigures(
        calls=sim.calls,
        throttled=sim.throttled,
        errors=sum(run.errors.values()),
        tasks_read=run.tasks_read,
        scaled_seconds=run.seconds,
        seconds=seconds,
        share_of_dms=_share(sim.calls, seconds),
        cpu_busy=original.process.cpu_seconds / max(original.process.wall_seconds, 1e-9),
        peak_rss_mb=original.process.peak_rss_mb,
        retries=f"botocore {run.retry_mode} mode, {run.max_attempts} attempts",
    )


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[int(pct) - 1]


def _share(calls: int, seconds: float) -> float:
    return calls / (seconds * DMS_REFILL) if seconds > 0 else 0.0
