"""``serve`` end to end: /healthz and /metrics in both modes, and JSON logs on stderr."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.sim import SimServer
from bot.store.sql import SqlStore
from tests.scenarios.ops.conftest import StartServe, wait_for_health
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackApi
from tests.support.serve_process import ROOT, SIGNING_SECRET, bot_env

pytestmark = pytest.mark.slow


def metric_values(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, from the exposition text."""
    values = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            values[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return values


def scrape_until(url: str, name: str, value: float, timeout: float = 10.0) -> dict[str, float]:
    """Scrape /metrics until ``name`` reaches ``value`` (deliveries are counted just after Slack answers)."""
    deadline = time.monotonic() + timeout
    while True:
        values = metric_values(requests.get(f"{url}/metrics", timeout=5).text)
        if values.get(name) == value or time.monotonic() > deadline:
            return values
        time.sleep(0.1)


def seed_stuck_item(db: Path) -> int:
    """An outbox item queued an hour ago whose next attempt is a day away (a stuck delivery)."""
    now = datetime.now(UTC)
    with SqlStore(db) as store:
        item = store.enqueue(
            destination="webhook",
            kind="webhook",
            payload={"body": "{}"},
            key="stuck",
            now=now - timedelta(hours=1),
        )
        assert item is not None
        store.mark_retry(item, error="HTTP 503", next_attempt_at=now + timedelta(days=1))
    return item


def test_http_mode_reports_health_and_metrics_and_503_on_a_stuck_outbox(
    start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi, tmp_path: Path
) -> None:
    """After the first sweep /healthz is 200 with details and /metrics counts it; a stuck outbox is 503."""
    bot = start_bot(demo_sim, slack)
    slack.wait_for("chat.postMessage", count=3, timeout=20)
    health = wait_for_health(bot, 200)
    assert health["ready"] and health["live"]
    checks = health["checks"]
    assert checks["sweep"]["last_outcome"] == "ok" and checks["sweep"]["limit_seconds"] == 1260
    assert checks["slack"]["ok"] and checks["scheduler"]["ok"]
    values = scrape_until(bot.url, 'dms_bot_alerts_sent_total{kind="post"}', 3)
    assert values['dms_bot_sweeps_total{outcome="ok"}'] == 1
    assert values['dms_bot_dms_calls_total{operation="DescribeReplicationTasks",outcome="ok"}'] >= 1
    assert values['dms_bot_dms_calls_total{operation="DescribeTableStatistics",outcome="ok"}'] == 6
    serverless_stats = 'dms_bot_dms_calls_total{operation="DescribeReplicationTableStatistics",outcome="ok"}'
    assert values[serverless_stats] == 1  # payments-serverless, a DMS Serverless replication
    assert values['dms_bot_tasks{verdict="failure"}'] == 3
    assert values['dms_bot_alerts_sent_total{kind="post"}'] == 3
    assert values["dms_bot_sweep_duration_seconds_count"] == 1
    assert values["dms_bot_outbox_depth"] == 0

    item = seed_stuck_item(tmp_path / "bot.sqlite3")
    down = wait_for_health(bot, 503)
    assert not down["ready"] and down["live"]
    assert down["checks"]["outbox"]["depth"] == 1
    assert any("oldest undelivered message is 1h" in p for p in down["problems"])
    assert metric_values(requests.get(f"{bot.url}/metrics", timeout=5).text)["dms_bot_outbox_depth"] == 1
    with SqlStore(tmp_path / "bot.sqlite3") as store:
        store.mark_dead(item, error="given up by the test")
    wait_for_health(bot, 200)
    assert bot.stop() == 0


def test_socket_mode_serves_health_on_a_port_and_503_when_disconnected(
    start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Socket Mode with --port serves /healthz; losing the WebSocket turns it 503."""
    bot = start_bot(demo_sim, slack, http=False, port=True, env={"SLACK_APP_TOKEN": APP_TOKEN})
    assert slack.socket_connected(timeout=20)
    up = wait_for_health(bot, 200)
    assert up["checks"]["slack"]["detail"] == "Socket Mode connected"
    assert requests.post(f"{bot.url}/slack/events", data=b"{}", timeout=5).status_code == 404
    assert "dms_bot_sweeps_total" in requests.get(f"{bot.url}/metrics", timeout=5).text
    slack.socket_mode.stop()  # Slack's side goes away; reconnecting fails
    down = wait_for_health(bot, 503)
    assert down["checks"]["slack"] == {"ok": False, "detail": "Socket Mode disconnected (reconnecting)"}
    assert bot.stop() == 0


def test_every_stderr_line_is_json_and_no_secret_leaks(
    start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """With json logs, start-up, Bolt warnings, delivery failures and shutdown are all JSON, scrubbed."""
    hook_secret = "hook-path-secret-7f3a9c"
    with HttpReceiver(path=f"/hooks/{hook_secret}", status=500) as receiver:
        bot = start_bot(
            demo_sim,
            slack,
            config={"webhook": {"url": receiver.url}},
            env={"DMS_BOT_LOG_FORMAT": "json"},
        )
        receiver.wait_for(1, timeout=20)  # the report POST failed: a warning naming the webhook
        assert bot.click("no_such_action", "x").status_code == 404  # Bolt warns: unhandled request
        assert bot.stop() == 0
    lines = Path(bot.log_path).read_text().splitlines()
    docs = [json.loads(line) for line in lines]  # every line parses, or this raises
    assert all({"time", "level", "logger", "message"} <= set(d) for d in docs)
    loggers = {d["logger"] for d in docs}
    assert {"bot.serve", "bot.deliver.deliverer"} <= loggers
    assert any(d["logger"].startswith("slack_bolt") or d["logger"] == "bot.slack" for d in docs)
    assert any("Unhandled request" in d["message"] for d in docs)
    assert docs[-1]["message"] == "stopped"
    text = "\n".join(lines)
    for secret in (hook_secret, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in text


def test_a_port_in_use_is_one_line_and_exit_2(
    demo_sim: SimServer, slack: FakeSlackApi, tmp_path: Path
) -> None:
    """serve cannot listen: one line naming the address, exit 2, no traceback (a JSON line with json logs)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [sys.executable, "-m", "bot", "serve", "--http", "--port", str(port), "--host", "127.0.0.1"]
        env = bot_env(demo_sim.url, slack, tmp_path)
        text = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=30)
        env["DMS_BOT_LOG_FORMAT"] = "json"
        jsonl = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=30)
    problem = f"cannot listen on 127.0.0.1:{port}: Address already in use"
    assert text.returncode == 2 and text.stderr.strip().splitlines()[-1] == f"dms-bot: {problem}"
    assert "Traceback" not in text.stderr
    assert jsonl.returncode == 2
    docs = [json.loads(line) for line in jsonl.stderr.splitlines()]
    assert (docs[-1]["level"], docs[-1]["message"]) == ("error", problem)
