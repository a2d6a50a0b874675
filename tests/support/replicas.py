"""Several ``serve --http`` replicas on one PostgreSQL database: their role and counters as
/healthz and /metrics tell them, and the failover timings the tests and ``bench.failover`` measure."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.serve_process import BotProcess

LEADER_TIMEOUT = 3.0  # seconds: [ha] leader_timeout in these tests
CHECK_EVERY = 10.0  # the shortest schedule the config allows
REPLICA_CONFIG = {
    "ha": {"leader_timeout": f"{LEADER_TIMEOUT:g}s"},
    "schedule": {"check_every": f"{CHECK_EVERY:g}s"},
}


def role(bot: BotProcess) -> str | None:
    """ "leader" or "standby" as its /healthz says; None when it does not answer."""
    try:
        return str(requests.get(f"{bot.url}/healthz", timeout=0.5).json()["role"])
    except (requests.RequestException, ValueError, KeyError):
        return None


def metric(bot: BotProcess, name: str) -> float:
    """The sum of every series of ``name`` on its /metrics (0 when there is none)."""
    text = requests.get(f"{bot.url}/metrics", timeout=2).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith((f"{name} ", f"{name}{{"))
    )


def sweeps(bot: BotProcess) -> float:
    return metric(bot, "dms_bot_sweeps_total")


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.02) -> float:
    """Seconds until ``check()`` held; AssertionError naming ``what`` after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout:g}s")
        time.sleep(poll)
    return time.monotonic() - started


def top_level_posts(slack: FakeSlackApi) -> list[str]:
    """The ts of every message posted outside a thread."""
    return [
        str(r.response.get("ts"))
        for r in slack.requests("chat.postMessage")
        if r.ok and not r.params.get("thread_ts")
    ]


def updated_messages(slack: FakeSlackApi) -> list[str]:
    return [str(r.params.get("ts")) for r in slack.requests("chat.update") if r.ok]


@dataclass(frozen=True)
class Failover:
    """Seconds from the leader's death (or freeze) until the standby led, and until it had swept."""

    leads: float
    swept: float


def fail_over(leader: BotProcess, standby: BotProcess, *, freeze: bool) -> Failover:
    """SIGKILL (or SIGSTOP) the leader right after one of its sweeps; time the standby's takeover."""
    done = sweeps(leader)
    wait_until(lambda: sweeps(leader) > done, timeout=2 * CHECK_EVERY + 5, what="the leader's next sweep")
    before = sweeps(standby)
    started = time.monotonic()
    if freeze:
        os.kill(leader.proc.pid, signal.SIGSTOP)
    else:
        leader.proc.kill()
    wait_until(lambda: role(standby) == "leader", timeout=4 * LEADER_TIMEOUT, what="the standby leading")
    leads = time.monotonic() - started
    wait_until(lambda: sweeps(standby) > before, timeout=4 * LEADER_TIMEOUT, what="the standby's sweep")
    return Failover(leads=leads, swept=time.monotonic() - started)
