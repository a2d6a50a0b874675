"""One fleet, measured: a fresh simulator, then the bot (and the original tool) in fresh processes.

The simulator lives in this process; each measured client runs in its own subprocess
(:mod:`bench.worker`), so its peak RSS is its own and the two do not share one interpreter's CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.botrun import BotJob, BotRun, Question
from bench.original import OriginalJob, OriginalRun
from bench.plan import DMS_CAPACITY, DMS_REFILL, PROBLEMS, SEED, FleetSpec
from bot.sim import SimServer, build_fleet

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class SimFigures:
    """What the simulator saw: every request, the throttled ones, and the lowest its bucket got."""

    calls: int
    throttled: int
    errors: int
    min_tokens: float


@dataclass(frozen=True, slots=True)
class Process:
    cpu_seconds: float
    wall_seconds: float
    peak_rss_mb: float


@dataclass(frozen=True, slots=True)
class BotResult:
    run: BotRun
    sim: SimFigures
    process: Process


@dataclass(frozen=True, slots=True)
class OriginalResult:
    run: OriginalRun
    sim: SimFigures
    process: Process


@dataclass(frozen=True, slots=True)
class FleetResult:
    spec: FleetSpec
    dms_latency: float  # real-time-equivalent seconds the simulator adds to each call
    bot: BotResult
    original: OriginalResult | None
    adaptive: bool = True


def run_fleet(
    spec: FleetSpec, *, dms_latency: float, original: bool = True, adaptive: bool = True
) -> FleetResult:
    """The bot's sweep (and, with ``original``, the original tool's) on a fresh simulator each."""
    bot_job = BotJob(
        url="",
        tasks=spec.tasks,
        tables=spec.tables,
        time_scale=spec.time_scale,
        questions=spec.questions,
        floor_calls=spec.floor_calls,
        adaptive=adaptive,
    )
    raw, sim = _measured(spec, dms_latency, "bot", asdict(bot_job))
    run = raw.pop("run")
    questions = [Question(**q) for q in run.pop("questions")]
    bot = BotResult(BotRun(**run, questions=questions), sim, Process(**raw))
    orig: OriginalResult | None = None
    if original:
        raw, sim = _measured(spec, dms_latency, "original", asdict(OriginalJob(url="", tasks=spec.tasks)))
        orig = OriginalResult(OriginalRun(**raw.pop("run")), sim, Process(**raw))
    return FleetResult(spec, dms_latency, bot, orig, adaptive)


def _measured(
    spec: FleetSpec, dms_latency: float, kind: str, job: dict[str, Any]
) -> tuple[dict[str, Any], SimFigures]:
    scenario = build_fleet(
        spec.tasks, spec.tables, problems=PROBLEMS, seed=SEED, replications=spec.replications
    )
    sim = SimServer(
        scenario,
        time_scale=spec.time_scale,
        latency=dms_latency / spec.time_scale,
        throttling=True,
        bucket_capacity=DMS_CAPACITY,
        bucket_refill=DMS_REFILL,
    )
    with sim:
        watch = _BucketWatch(sim)
        watch.start()
        try:
            raw = worker(kind, {**job, "url": sim.url})
        finally:
            watch.stop.set()
            watch.join()
        counters = sim.counters()
    figures = SimFigures(
        calls=sum(counters["calls"].values()),
        throttled=sum(counters["throttled"].values()),
        errors=sum(counters["errors"].values()),
        min_tokens=watch.lowest,
    )
    return raw, figures


def worker(kind: str, job: dict[str, Any]) -> dict[str, Any]:
    """Run :mod:`bench.worker` in a fresh interpreter with no AWS configuration of this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PYTHONPATH=str(ROOT),
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bench.worker", kind, json.dumps(job)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {kind} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class _BucketWatch(threading.Thread):
    """Samples DMS's bucket: what the run left for every other user of the account and region."""

    def __init__(self, sim: SimServer, every: float = 0.02) -> None:
        super().__init__(name="bucket-watch", daemon=True)
        self.sim, self.every = sim, every
        self.stop = threading.Event()
        self.lowest = float(DMS_CAPACITY)

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.lowest = min(self.lowest, self.sim.tokens())
