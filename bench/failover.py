"""Failover times of two ``serve --http`` replicas on one PostgreSQL database, with the simulator
and the Slack fake: SIGKILL (and SIGSTOP) the leader right after one of its sweeps, then time how
long the standby takes to lead and to finish its first sweep. ``leader_timeout`` is 3 s.

``python -m bench.failover [--runs 5]`` prints min / median / max for each signal.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
from pathlib import Path

from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.replicas import LEADER_TIMEOUT, REPLICA_CONFIG, Failover, fail_over, role, wait_until
from tests.support.serve_process import CHANNEL, BotProcess, bot_env, free_port, write_config


def _replica(n: int, sim: SimServer, slack: FakeSlackApi, database: str, tmp: Path) -> BotProcess:
    config = write_config(tmp / f"bot{n}.toml", slack={"channel": CHANNEL}, **REPLICA_CONFIG)
    port = free_port()
    args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
    bot = BotProcess(
        args, bot_env(sim.url, slack, tmp, {"DMS_BOT_DB": database}), port=port, log=tmp / f"bot{n}.log"
    )
    bot.wait_healthy()
    return bot


def one_run(*, freeze: bool) -> Failover:
    with (
        scratch_database(POSTGRES_ENV) as url,
        SimServer(load_scenario(DEMO_SCENARIO), throttling=False) as sim,
        FakeSlackApi() as slack,
        tempfile.TemporaryDirectory() as tmp,
    ):
        slack.add_channel(CHANNEL)
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        leader = _replica(0, sim, slack, database, Path(tmp))
        wait_until(lambda: role(leader) == "leader", timeout=10, what="the first replica leading")
        standby = _replica(1, sim, slack, database, Path(tmp))
        try:
            wait_until(lambda: role(standby) == "standby", timeout=10, what="the second replica waiting")
            return fail_over(leader, standby, freeze=freeze)
        finally:
            if freeze and leader.proc.poll() is None:
                os.kill(leader.proc.pid, signal.SIGCONT)
            for bot in (standby, leader):
                bot.stop()


def _summary(name: str, runs: list[Failover]) -> str:
    def mmm(values: list[float]) -> str:
        return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f} s"

    leads, swept = [r.leads for r in runs], [r.swept for r in runs]
    return f"| {name} | {len(runs)} | {mmm(leads)} | {mmm(swept)} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.failover", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"leader_timeout {LEADER_TIMEOUT:g}s; seconds from the signal (min / median / max)")
    print("| signal | runs | standby leads | standby has swept |\n|---|---|---|---|")
    for name, freeze in (("SIGKILL", False), ("SIGSTOP", True)):
        runs = [one_run(freeze=freeze) for _ in range(args.runs)]
        print(_summary(name, runs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
