"""Replicas sharing one DMS API budget, measured at the simulator's real token bucket.

``serve --http`` replicas on one PostgreSQL database: the first leads and sweeps a fleet bigger
than the burst at start-up while the standbys answer signed ``/dms status <task>`` commands, each
about a task not asked before (so each costs DMS calls). The simulator's bucket is the bot's share
itself (plus a few tokens for the jitter between a token's take and the call's arrival), so any call
beyond the share is throttled there. Time is scaled as in the benchmarks: the simulator's clock runs
``time_scale`` times real time and the share is scaled by the same factor. Used by
``tests/scenarios/ops/test_shared_budget.py`` and ``bench.replicas``.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bot.sim import SimServer, build_fleet
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.replicas import LEADER_TIMEOUT, metric, role, sweeps, wait_until
from tests.support.serve_process import CHANNEL, BotProcess, bot_env, free_port, write_config

RATE, BURST = 2.0, 50  # the share, real-time equivalent (the defaults)
MARGIN = 5  # the simulator's bucket is BURST + MARGIN: calls may arrive a little out of step
ASK_EVERY = 0.25  # real seconds between a standby's questions


@dataclass(frozen=True, slots=True)
class BudgetRun:
    replicas: int
    time_scale: float
    sweep_calls: int  # the leader's DMS calls in its first sweep
    question_calls: int  # the standbys' DMS calls answering the questions asked during it
    asked: int  # questions sent to standbys during the sweep
    answered: int  # of which answered on their response_url
    sweep_seconds: float  # real seconds of the scaled run, from the first replica's start
    samples: tuple[tuple[float, int], ...]  # (real seconds, the simulator's DMS calls so far)
    throttled: int  # throttled responses the simulator sent
    status_everywhere: tuple[bool, ...]  # each replica answered `/dms status` after the sweep

    @property
    def share(self) -> float:
        """The share's rate in the scaled run, calls per real second."""
        return RATE * self.time_scale

    def worst_excess(self) -> float:
        """The most calls any window of the samples holds beyond ``share x its length``; the share
        holds when this never exceeds the burst."""
        worst = 0.0
        for i, (start, before) in enumerate(self.samples):
            for end, after in self.samples[i + 1 :]:
                worst = max(worst, after - before - self.share * (end - start))
        return worst

    def summed_rate(self) -> float:
        """Calls per second of real time (equivalent) after the burst, all replicas together."""
        calls = [c for _, c in self.samples]
        first = next(t for t, c in self.samples if c > 0)
        last = max(t for t, c in self.samples if c == calls[-1])
        return max(0, calls[-1] - BURST) / max(last - first, 1e-9) / self.time_scale


def run_replicas(
    replicas: int, *, tasks: int, tables: int, time_scale: float, database: str, tmp: Path
) -> BudgetRun:
    """One measured run; every process it starts is stopped before it returns."""
    sim = SimServer(
        build_fleet(tasks, tables, seed=5),
        time_scale=time_scale,
        throttling=True,
        bucket_capacity=BURST + MARGIN,
        bucket_refill=RATE,
    )
    with sim, FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        sampler = _Sampler(sim)
        bots: list[BotProcess] = []
        try:
            sampler.start()
            run = _measure(replicas, tasks, time_scale, sim, slack, database, tmp, bots)
        finally:
            sampler.stop()
            for bot in bots:
                bot.stop()
        throttled = sum(sim.counters()["throttled"].values())
    return replace(run, samples=tuple(sampler.samples), throttled=throttled)


def run_in_scratch(replicas: int, *, tasks: int, tables: int, time_scale: float) -> BudgetRun:
    """:func:`run_replicas` on a PostgreSQL database and a directory of its own (for the bench)."""
    with scratch_database(POSTGRES_ENV) as url, tempfile.TemporaryDirectory() as tmp:
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return run_replicas(
            replicas, tasks=tasks, tables=tables, time_scale=time_scale, database=database, tmp=Path(tmp)
        )


def _measure(
    replicas: int,
    tasks: int,
    time_scale: float,
    sim: SimServer,
    slack: FakeSlackApi,
    database: str,
    tmp: Path,
    bots: list[BotProcess],
) -> BudgetRun:
    """Start the replicas, ask the standbys until the leader has swept, then ask every replica."""
    started = time.monotonic()
    for n in range(replicas):
        bots.append(start_replica(n, sim, slack, database, tmp, rate=RATE * time_scale))
        _wait_for_role(bots[-1], "leader" if n == 0 else "standby")
    leader, standbys = bots[0], bots[1:]
    asked = _ask_until_swept(leader, standbys, slack, tasks)
    sweep_seconds = time.monotonic() - started
    sweep_calls = int(metric(leader, "dms_bot_dms_calls_total"))  # before it is asked anything
    answered = sum(_answered(slack, url, task) for url, task in asked)
    question_calls = int(sum(metric(b, "dms_bot_dms_calls_total") for b in standbys))
    return BudgetRun(
        replicas=replicas,
        time_scale=time_scale,
        sweep_calls=sweep_calls,
        question_calls=question_calls,
        asked=len(asked),
        answered=answered,
        sweep_seconds=sweep_seconds,
        samples=(),
        throttled=0,
        status_everywhere=tuple(_answers_status(bot, slack, f"fleet-{tasks:04d}") for bot in bots),
    )


def _wait_for_role(bot: BotProcess, wanted: str) -> None:
    wait_until(lambda: role(bot) == wanted, timeout=10, what=f"a replica as {wanted}")


def start_replica(
    n: int, sim: SimServer, slack: FakeSlackApi, database: str, tmp: Path, *, rate: float
) -> BotProcess:
    """One ``serve --http`` replica; sweeps once at start-up when it leads (check_every 1 h)."""
    config = write_config(
        tmp / f"bot{n}.toml",
        slack={"channel": CHANNEL},
        ha={"leader_timeout": f"{LEADER_TIMEOUT:g}s"},
        schedule={"check_every": "1h"},
        dms_api={"rate": rate, "burst": BURST},
    )
    port = free_port()
    args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
    env = bot_env(sim.url, slack, tmp, {"DMS_BOT_DB": database})
    bot = BotProcess(args, env, port=port, log=tmp / f"bot{n}.log")
    bot.wait_healthy(timeout=30)
    return bot


def _ask_until_swept(
    leader: BotProcess, standbys: list[BotProcess], slack: FakeSlackApi, tasks: int
) -> list[tuple[str, str]]:
    """Standbys take turns answering `/dms status` about new tasks until the leader has swept."""
    asked: list[tuple[str, str]] = []
    while sweeps(leader) < 1:
        if standbys:
            task = f"fleet-{len(asked) % (tasks - 1) + 1:04d}"
            url = slack.new_response_url()
            standbys[len(asked) % len(standbys)].command(f"status {task}", response_url=url)
            asked.append((url, task))
        time.sleep(ASK_EVERY)
    return asked


def _answered(slack: FakeSlackApi, url: str, task: str, timeout: float = 20.0) -> bool:
    """Whether an answer naming ``task`` reached the command's response_url."""
    hook = url.rsplit("/", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(task in json.dumps(p.body) for p in slack.response_posts(hook)):
            return True
        time.sleep(0.05)
    return False


def _answers_status(bot: BotProcess, slack: FakeSlackApi, task: str) -> bool:
    url = slack.new_response_url()
    return bot.command(f"status {task}", response_url=url).ok and _answered(slack, url, task)


class _Sampler(threading.Thread):
    """The simulator's DMS call count every 20 ms, for the sliding-window check of the rate."""

    def __init__(self, sim: SimServer) -> None:
        super().__init__(name="dms-call-sampler", daemon=True)
        self.sim, self.samples = sim, [(0.0, 0)]
        self._stop_event = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self._stop_event.wait(0.02):
            calls = sum(self.sim.counters()["calls"].values())
            self.samples.append((time.monotonic() - started, calls))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
