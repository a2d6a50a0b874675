from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.harness import CHANNEL, BotProcess, bot_env, free_port, write_config


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_channel(CHANNEL)
        yield fake


@pytest.fixture
def demo_sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(load_scenario(DEMO_SCENARIO))


@pytest.fixture
def start_bot(tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start ``serve`` subprocesses; every one is stopped (and its log shown on failure) afterwards."""
    started: list[BotProcess] = []

    def start(
        sim: SimServer,
        slack: FakeSlackApi,
        *,
        http: bool = True,
        config: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> BotProcess:
        sections: dict[str, Any] = {"slack": {"channel": CHANNEL}, "schedule": {"check_every": "10m"}}
        for name, values in (config or {}).items():
            sections[name] = {**sections.get(name, {}), **values} if isinstance(values, dict) else values
        cfg = write_config(tmp_path / f"bot{len(started)}.toml", **sections)
        port = free_port() if http else None
        args = ["serve", "--config", str(cfg)] + (
            ["--http", "--port", str(port), "--host", "127.0.0.1"] if http else []
        )
        bot = BotProcess(
            args, bot_env(sim.url, slack, tmp_path, env), port=port, log=tmp_path / f"bot{len(started)}.log"
        )
        started.append(bot)
        if http:
            bot.wait_healthy()
        return bot

    yield start
    for bot in started:
        bot.stop()
