"""Run ``python -m bot serve`` as a subprocess against the simulator and the fake Slack API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import (
    block_actions_body,
    form_encode,
    interactive_form,
    sign,
    slash_command_body,
)

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "test-signing-secret-0123456789"
CHANNEL = "C0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(
    sim_url: str, slack: FakeSlackApi, tmp: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "DMS_BOT_"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": sim_url,
            "AWS_ENDPOINT_URL_CLOUDWATCH": sim_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "DMS_BOT_DB": str(tmp / "bot.sqlite3"),
        }
    )
    env.update(extra or {})
    return env


class BotProcess:
    """One ``serve`` process; ``stop()`` sends SIGTERM and returns the exit code."""

    def __init__(self, args: list[str], env: dict[str, str], *, port: int | None, log: Path) -> None:
        self.port = port
        self.log_path = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def wait_healthy(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code in (200, 503):
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"bot not listening after {timeout}s:\n{self.log()}")

    def post(
        self, body: str, *, content_type: str, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        all_headers = {"Content-Type": content_type, **(headers or sign(body, SIGNING_SECRET))}
        return requests.post(f"{self.url}/slack/events", data=body.encode(), headers=all_headers, timeout=10)

    def command(
        self, text: str, *, response_url: str, user: str = "U123", channel: str = CHANNEL
    ) -> requests.Response:
        fields = slash_command_body(text=text, response_url=response_url, user_id=user, channel_id=channel)
        return self.post(form_encode(fields), content_type="application/x-www-form-urlencoded")

    def click(self, action_id: str, value: str, **kw: Any) -> requests.Response:
        payload = block_actions_body(action_id, value, **kw)
        return self.post(interactive_form(payload), content_type="application/x-www-form-urlencoded")

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()


def write_config(path: Path, **sections: Any) -> Path:
    """A TOML config from plain dicts (strings, numbers, lists of strings); a list of dicts is an
    array of tables (``[[targets]]``, ``[[databases]]``)."""
    lines: list[str] = []
    for name, values in sections.items():
        if isinstance(values, list):
            for table in values:
                lines.append(f"[[{name}]]")
                lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
            continue
        lines.append(f"[{name}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path
