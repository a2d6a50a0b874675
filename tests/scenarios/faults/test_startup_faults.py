"""``serve`` starting into trouble (a revoked token, Slack down, the database held by another
process): it refuses to start with one line on stderr naming the problem and exit 2, never a
traceback, so a supervisor's restart loop shows the reason."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.sim import SimServer
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import CHANNEL, small_fleet
from tests.support.serve_process import ROOT, BotProcess, bot_env, free_port, write_config

pytestmark = pytest.mark.slow


def run_serve(sim: SimServer, slack: FakeSlackApi, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    config = write_config(tmp / "bot.toml", slack={"channel": CHANNEL})
    args = ["serve", "--config", str(config), "--http", "--port", str(free_port()), "--host", "127.0.0.1"]
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=bot_env(sim.url, slack, tmp, env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2, no traceback, and one ``dms-bot:`` line saying what is wrong (log lines may precede it)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dms-bot: ")]
    assert len(errors) == 1, result.stderr
    assert all(f in errors[0] for f in fragments), errors[0]


@pytest.fixture
def sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(small_fleet())


def test_a_revoked_token_stops_start_up_with_invalid_auth(sim: SimServer, tmp_path: Path) -> None:
    """auth.test answers invalid_auth: "Slack rejected the bot token at start-up (invalid_auth)"."""
    with FakeSlackApi() as slack:
        result = run_serve(sim, slack, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
    assert_one_line(result, "invalid_auth")


def test_slack_answering_500_at_start_up_is_not_called_a_bad_token(sim: SimServer, tmp_path: Path) -> None:
    """auth.test keeps failing with 500: the line says Slack is failing, not that the token is wrong."""
    with FakeSlackApi() as slack:
        slack.fail_next("auth.test", status=500, times=10)
        result = run_serve(sim, slack, tmp_path)
    assert_one_line(result, "Slack")
    assert "rejected" not in result.stderr


def test_slack_unreachable_at_start_up(sim: SimServer, tmp_path: Path) -> None:
    """Nothing listening at SLACK_API_URL: one line saying Slack could not be reached."""
    with FakeSlackApi() as slack:  # running, but the bot is pointed at a port nobody listens on
        result = run_serve(sim, slack, tmp_path, SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    assert_one_line(result, "Slack", "reach")


def test_a_database_locked_by_another_process_at_start_up(sim: SimServer, tmp_path: Path) -> None:
    """Another process holds the store's write lock: one line naming the file and what to do."""
    db = tmp_path / "bot.sqlite3"
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with FakeSlackApi() as slack:
            result = run_serve(sim, slack, tmp_path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_one_line(result, "locked by another process", str(db))


def test_a_second_bot_on_the_same_database_refuses_to_start(sim: SimServer, tmp_path: Path) -> None:
    """Two bots on one store would both alert: the second exits 2 naming the first one's pid, and
    the first keeps running untouched."""
    with FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        config = write_config(tmp_path / "bot.toml", slack={"channel": CHANNEL})
        port = free_port()
        args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
        first = BotProcess(args, bot_env(sim.url, slack, tmp_path), port=port, log=tmp_path / "first.log")
        try:
            first.wait_healthy()
            result = run_serve(sim, slack, tmp_path)
            assert_one_line(result, "already running", f"pid {first.proc.pid}", str(tmp_path / "bot.sqlite3"))
            assert first.proc.poll() is None
        finally:
            assert first.stop() == 0
