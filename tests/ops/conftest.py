"""Fixtures for the operations tests: the fake Slack API, and ``serve`` / ``doctor`` subprocesses."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.harness import CHANNEL, ROOT, BotProcess, bot_env, free_port, write_config

StartServe = Callable[..., BotProcess]


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_channel(CHANNEL)
        yield fake


@pytest.fixture
def demo_sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(load_scenario(DEMO_SCENARIO))


@pytest.fixture
def start_serve(tmp_path: Path) -> Iterator[StartServe]:
    """``serve`` subprocesses (HTTP mode, or Socket Mode with ``--port``); all stopped afterwards."""
    started: list[BotProcess] = []

    def start(
        sim: SimServer,
        slack: FakeSlackApi,
        *,
        http: bool = True,
        config: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> BotProcess:
        sections: dict[str, Any] = {"slack": {"channel": CHANNEL}, "schedule": {"check_every": "10m"}}
        sections.update(config or {})
        n = len(started)
        cfg = write_config(tmp_path / f"serve{n}.toml", **sections)
        port = free_port()
        args = ["serve", "--config", str(cfg), "--port", str(port), "--host", "127.0.0.1"]
        bot = BotProcess(
            [*args, "--http"] if http else args,
            bot_env(sim.url, slack, tmp_path, env),
            port=port,
            log=tmp_path / f"serve{n}.log",
        )
        started.append(bot)
        if wait:
            bot.wait_healthy()
        return bot

    yield start
    for bot in started:
        bot.stop()


def wait_for_health(bot: BotProcess, status: int, timeout: float = 15.0) -> dict[str, Any]:
    """Poll ``/healthz`` until it answers ``status``; returns its JSON."""
    deadline = time.monotonic() + timeout
    last: tuple[int, Any] | None = None
    while time.monotonic() < deadline:
        answer = requests.get(f"{bot.url}/healthz", timeout=2)
        last = (answer.status_code, answer.json())
        if answer.status_code == status:
            return dict(answer.json())
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered {status}; last: {last}\n{bot.log()}")


def run_doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


__all__ = ["CHANNEL", "StartServe", "bot_env", "free_port", "run_doctor", "wait_for_health", "write_config"]
