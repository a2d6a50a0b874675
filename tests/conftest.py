"""Shared fixtures: every test runs with real Slack/AWS/bot settings removed from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.sim import Scenario, SimServer

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
