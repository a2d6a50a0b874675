"""The cutover gate through a real ``serve --http`` subprocess, signed requests and the fake Slack
Web API, against the demo scenario (inventory-cdc lags 38-52 s until its writes freeze): the
``/dms ready`` answer, the watch's first post, and the Workflow Builder step end to end."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.render.buttons import Action
from bot.sim import SimServer
from bot.slack.listeners.functions.cutover_gate import CALLBACK_ID
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import function_executed_event
from tests.support.serve_process import CHANNEL, BotProcess

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]
ROOT = Path(__file__).resolve().parents[3]


def test_ready_answers_the_checks_and_watch_posts_in_the_channel(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    bot = start_bot(demo_sim, slack)
    url = slack.new_response_url()
    started = time.monotonic()
    assert bot.command("ready inventory-cdc", response_url=url).status_code == 200
    assert time.monotonic() - started < 3
    [answer] = slack.wait_for_response(1, timeout=15)
    assert answer.body is not None and answer.body["response_type"] == "ephemeral"
    blocks = json.dumps(answer.body["blocks"], ensure_ascii=False)
    assert "inventory-cdc* is not ready to cut over" in blocks and "✗ *cdc_latency*" in blocks
    assert Action.WATCH_READY.value in blocks

    watch_url = slack.new_response_url()
    bot.command("ready inventory-cdc watch", response_url=watch_url, user="U0ALICE")
    [started_answer] = slack.wait_for_response(1, timeout=15, id=watch_url)
    assert "Watching *inventory-cdc* until" in json.dumps(started_answer.body)
    deadline = time.monotonic() + 15
    while not [m for m in slack.messages(CHANNEL) if "Watching inventory-cdc" in (m.text or "")]:
        assert time.monotonic() < deadline, bot.log()
        time.sleep(0.1)


def test_the_workflow_step_completes_through_serve(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    slack.functions.declare(yaml.safe_load((ROOT / "manifest-workflow.yml").read_text()))
    bot = start_bot(demo_sim, slack)
    run = slack.functions.start(CALLBACK_ID, {"task": "inventory-cdc", "max_lag": "1m"})
    event = function_executed_event(CALLBACK_ID, run.inputs, execution_id=run.id, bot_access_token=run.token)
    started = time.monotonic()
    assert bot.post(json.dumps(event), content_type="application/json").status_code == 200
    assert time.monotonic() - started < 3  # acknowledged before the gate is judged
    [call] = slack.wait_for("functions.completeSuccess", timeout=15)
    assert call.ok and call.headers["authorization"] == f"Bearer {run.token}"
    outputs = slack.functions.execution(run.id).outputs
    assert outputs is not None and outputs["ready"] is True  # 52 s of lag is within 1 minute
    assert outputs["summary"].startswith("inventory-cdc is ready to cut over: lag ≤ 1 min for 5 min")
