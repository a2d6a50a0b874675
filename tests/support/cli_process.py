"""Run ``python -m bot`` as a subprocess, the way users and cron run it, with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.sim import SimServer
from tests.support.simtools import REGION

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "http://127.0.0.1:9"  # a closed loopback port: an endpoint no test may leave unset


def run_bot(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "DMS_BOT_"))}
    full_env.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_CLOUDWATCH": NOWHERE,  # never the real CloudWatch; aws_env names the simulator
            "PYTHONPATH": str(ROOT),
        }
    )
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
        check=False,
    )


def aws_env(sim: SimServer) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": sim.url,
        "AWS_ENDPOINT_URL_CLOUDWATCH": sim.url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
    }


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
