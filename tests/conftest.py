"""Shared fixtures: every test runs with real Slack/AWS/bot settings removed from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sim import DEMO_SCENARIO, Scenario, SimServer, load_scenario
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.serve_process import CHANNEL, BotProcess, bot_env, free_port, write_config

pytest_plugins = ["tests.support.target_fixtures"]  # real PostgreSQL / MariaDB target databases

_CLEARED_PREFIXES = ("SLACK_", "AWS_", "DMS_BOT_", "BOTO_")


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No test can pick up a real token, profile or endpoint from the developer's shell."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    # boto3 must not read ~/.aws of whoever runs the tests.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # a client built without an explicit endpoint must not reach the real CloudWatch either
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:9")
    yield


@pytest.fixture
def start_sim() -> Iterator[Callable[..., SimServer]]:
    """Start DMS simulators with any options (throttling off unless asked); stopped after the test."""
    started: list[SimServer] = []

    def start(scenario: Scenario, **options: Any) -> SimServer:
        options.setdefault("throttling", False)
        sim = SimServer(scenario, **options).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    """The fake Slack Web API, with the bot a member of the test channel."""
    with FakeSlackApi() as fake:
        fake.add_channel(CHANNEL)
        yield fake


@pytest.fixture
def demo_sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(load_scenario(DEMO_SCENARIO))


@pytest.fixture
def start_bot(tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start ``serve`` subprocesses; every one is stopped afterwards.

    HTTP mode by default; ``http=False`` is Socket Mode, with ``/healthz`` on a port if ``port=True``.
    """
    started: list[BotProcess] = []

    def start(
        sim: SimServer,
        slack: FakeSlackApi,
        *,
        http: bool = True,
        port: bool | None = None,
        config: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> BotProcess:
        sections: dict[str, Any] = {"slack": {"channel": CHANNEL}, "schedule": {"check_every": "10m"}}
        for name, values in (config or {}).items():
            sections[name] = {**sections.get(name, {}), **values} if isinstance(values, dict) else values
        n = len(started)
        cfg = write_config(tmp_path / f"bot{n}.toml", **sections)
        listen = free_port() if (http or port) else None
        args = ["serve", "--config", str(cfg)]
        args += ["--port", str(listen), "--host", "127.0.0.1"] if listen else []
        args += ["--http"] if http else []
        bot = BotProcess(
            args, bot_env(sim.url, slack, tmp_path, env), port=listen, log=tmp_path / f"bot{n}.log"
        )
        started.append(bot)
        if wait and listen:
            bot.wait_healthy()
        return bot

    yield start
    for bot in started:
        bot.stop()
