"""How fast ``/dms`` is acknowledged while a sweep holds the budget: ``serve --http`` as a subprocess.

Slack gives a slash command three seconds for its HTTP answer. The bot process sweeps the fleet at
start-up (time-scaled, like the fleet runs) while this module sends signed ``/dms status <task>``
POSTs at a steady pace, timing each HTTP response, until the bot logs the end of the sweep.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.plan import BURST, DMS_CAPACITY, DMS_REFILL, PROBLEMS, RATE, SEED, AckSpec
from bot.sim import SimServer, build_fleet
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.serve_process import CHANNEL, BotProcess, bot_env, free_port, write_config

_SWEEP_LOGGED = re.compile(r"\bsweep\b[^\n]*\b\d+ tasks\b")


@dataclass(frozen=True, slots=True)
class AckResult:
    spec: AckSpec
    acks: tuple[float, ...]  # seconds until the HTTP response, one per command
    statuses: tuple[int, ...]  # HTTP status codes
    answered: int  # commands whose answer reached their response_url
    answer_seconds: tuple[float, ...]  # command sent -> answer posted (wall, scaled run)
    sweep_logged: bool  # the bot logged the end of its sweep before the commands stopped
    throttled: int  # throttled responses the simulator sent (all clients)


def run_ack(spec: AckSpec, *, dms_latency: float) -> AckResult:
    scenario = build_fleet(spec.tasks, spec.tables, problems=PROBLEMS, seed=SEED)
    sim = SimServer(
        scenario,
        time_scale=spec.time_scale,
        latency=dms_latency / spec.time_scale,
        bucket_capacity=DMS_CAPACITY,
        bucket_refill=DMS_REFILL,
    )
    with tempfile.TemporaryDirectory(prefix="dms-bench-") as tmp, sim, FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        bot = _start_bot(spec, sim, slack, Path(tmp))
        try:
            sent, acks, statuses, logged = _send_commands(spec, bot, slack)
            answers = _answers(slack, sent)
        finally:
            bot.stop()
        throttled = sum(sim.counters()["throttled"].values())
    return AckResult(
        spec=spec,
        acks=tuple(acks),
        statuses=tuple(statuses),
        answered=len(answers),
        answer_seconds=tuple(answers),
        sweep_logged=logged,
        throttled=throttled,
    )


def _start_bot(spec: AckSpec, sim: SimServer, slack: FakeSlackApi, tmp: Path) -> BotProcess:
    config = write_config(
        tmp / "bot.toml",
        slack={"channel": CHANNEL},
        schedule={"check_every": "1h"},
        dms_api={"rate": RATE * spec.time_scale, "burst": BURST},
    )
    port = free_port()
    args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
    bot = BotProcess(args, bot_env(sim.url, slack, tmp), port=port, log=tmp / "bot.log")
    bot.wait_healthy(timeout=60)
    return bot


def _send_commands(
    spec: AckSpec, bot: BotProcess, slack: FakeSlackApi
) -> tuple[dict[str, float], list[float], list[int], bool]:
    """Send until the sweep is logged as done (or well past its floor time); time each response."""
    rng = random.Random(SEED)
    floor = (spec.tasks + 2 - BURST) / (RATE * spec.time_scale)
    deadline = time.monotonic() + 3 * max(floor, 1.0) + 30
    sent: dict[str, float] = {}
    acks: list[float] = []
    statuses: list[int] = []
    logged = False
    while time.monotonic() < deadline:
        url = slack.new_response_url()
        task = f"fleet-{rng.randrange(spec.tasks) + 1:04d}"
        began = time.monotonic()
        response = bot.command(f"status {task}", response_url=url)
        acks.append(time.monotonic() - began)
        statuses.append(response.status_code)
        sent[url.rsplit("/", 1)[-1]] = began
        logged = bool(_SWEEP_LOGGED.search(bot.log()))
        if logged:
            break
        time.sleep(max(0.0, spec.interval - acks[-1]))
    return sent, acks, statuses, logged


def _answers(slack: FakeSlackApi, sent: dict[str, float], timeout: float = 30.0) -> list[float]:
    """Seconds from each command (by hook id) to its first answer on the response_url."""
    deadline = time.monotonic() + timeout
    while True:
        first: dict[str, float] = {}
        for post in slack.response_posts():
            if post.id in sent and post.id not in first:
                first[post.id] = post.time - sent[post.id]
        if len(first) == len(sent) or time.monotonic() > deadline:
            return sorted(first.values())
        time.sleep(0.1)
