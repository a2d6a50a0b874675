"""Fixtures for the operations tests: the fake Slack API, and ``serve`` / ``doctor`` subprocesses."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import requests

from tests.support.serve_process import CHANNEL, ROOT, BotProcess, bot_env, free_port, write_config

StartServe = Callable[..., BotProcess]  # the shared start_bot fixture (tests/conftest.py)


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
