"""Acting from Slack, end to end (``serve --http`` subprocess, simulator, fake Slack):
Acknowledge, Snooze, Revalidate (operators only), the Home tab and ``/dms history``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.render.buttons import SNOOZE_ACTIONS, Action
from bot.sim import Scenario, SimServer
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import app_home_opened_event
from tests.support.serve_process import CHANNEL, BotProcess

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]
OPERATOR = "U0OPERATOR"


def ops_scenario(failing: int = 23) -> Scenario:
    """One running task with ``failing`` Mismatched tables among healthy ones."""
    tables: list[dict[str, Any]] = [
        {
            "schema": "ops",
            "name": f"bad_{i:02d}",
            "validation_state": "Mismatched records",
            "failed_records": i + 1,
        }
        for i in range(failing)
    ]
    tables += [{"schema": "ops", "name": f"good_{i:02d}"} for i in range(7)]
    return Scenario.from_dict(
        {
            "simulator": {"region": "eu-west-1", "account": "123456789012"},
            "tasks": [
                {
                    "id": "ops-cdc",
                    "migration_type": "full-load-and-cdc",
                    "status": "running",
                    "tables": tables,
                }
            ],
        }
    )


def alert_post(slack: FakeSlackApi) -> Any:
    [post] = slack.wait_for("chat.postMessage", count=1, timeout=20)
    return post


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button")


def click(bot: BotProcess, slack: FakeSlackApi, post: Any, action_id: str, user: str) -> str:
    url = slack.new_response_url()
    value = button(post.params["blocks"], action_id)["value"]
    ts = post.response["ts"]
    response = bot.click(action_id, value, user_id=user, channel_id=CHANNEL, message_ts=ts, response_url=url)
    assert response.status_code == 200
    return url


@pytest.fixture
def ops_sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(ops_scenario())


def test_non_operator_revalidate_is_refused(
    start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Someone not in `operators` gets a short refusal and DMS receives no ReloadTables."""
    bot = start_bot(ops_sim, slack, config={"slack": {"operators": [OPERATOR]}})
    post = alert_post(slack)
    confirm = button(post.params["blocks"], Action.REVALIDATE)["confirm"]
    assert confirm["title"]["text"] and confirm["confirm"]["text"]  # Slack asks before sending the click
    url = click(bot, slack, post, Action.REVALIDATE, "U0SOMEONE")
    [refusal] = slack.wait_for_response(1, timeout=15, id=url)
    assert "operator" in json.dumps(refusal.body).lower()
    assert ops_sim.counters()["calls"].get("ReloadTables", 0) == 0
    assert ops_sim.reloads() == []


def test_operator_revalidates_23_tables_in_3_requests(
    start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi
) -> None:
    """An operator's Revalidate sends ReloadTables validate-only in batches of 10 and says so in the thread."""
    bot = start_bot(ops_sim, slack, config={"slack": {"operators": [OPERATOR]}})
    post = alert_post(slack)
    click(bot, slack, post, Action.REVALIDATE, OPERATOR)
    replies = slack.wait_for("chat.postMessage", count=2, timeout=20)
    reply = replies[-1]
    assert reply.params["thread_ts"] == post.response["ts"]
    assert "23" in reply.params["text"] and OPERATOR in reply.params["text"]
    reloads = ops_sim.reloads()
    assert [len(r["tables"]) for r in reloads] == [10, 10, 3]
    assert {r["option"] for r in reloads} == {"validate-only"}
    assert ops_sim.counters()["calls"]["ReloadTables"] == 3


def test_acknowledge_and_snooze_show_on_the_message(
    start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Acknowledge records the owner on the message; Snooze 4h shows until when; both reply in the thread."""
    bot = start_bot(ops_sim, slack)
    post = alert_post(slack)
    click(bot, slack, post, Action.ACK, "U0OWNER")
    update = slack.wait_for("chat.update", count=1, timeout=20)[-1]
    assert update.params["ts"] == post.response["ts"]
    assert "<@U0OWNER>" in json.dumps(update.params["blocks"])
    with pytest.raises(AssertionError):
        button(update.params["blocks"], Action.ACK)  # no second acknowledgement
    click(bot, slack, post, SNOOZE_ACTIONS[1], "U0OWNER")
    snoozed = slack.wait_for("chat.update", count=2, timeout=20)[-1]
    assert "Snoozed" in json.dumps(snoozed.params["blocks"])
    posts = slack.wait_for("chat.postMessage", count=3, timeout=20)
    threads = [r for r in posts if r.params.get("thread_ts") == post.response["ts"]]
    assert len(threads) == 2


def test_home_tab_shows_the_fleet(start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi) -> None:
    """Opening the App Home publishes a view within 100 blocks listing the task and its open alert."""
    bot = start_bot(ops_sim, slack)
    alert_post(slack)
    body = json.dumps(app_home_opened_event("U0VIEWER"))
    assert bot.post(body, content_type="application/json").status_code == 200
    [publish] = slack.wait_for("views.publish", timeout=15)
    view = publish.params["view"]
    assert publish.ok and view["type"] == "home" and len(view["blocks"]) <= 100
    assert "ops-cdc" in json.dumps(view["blocks"])


def test_history_uploads_a_chart_with_the_numbers(
    start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi
) -> None:
    """/dms history uploads a PNG with files_upload_v2 and answers with the numbers."""
    bot = start_bot(ops_sim, slack)
    alert_post(slack)
    url = slack.new_response_url()
    bot.command("history ops-cdc", response_url=url)
    [answer] = slack.wait_for_response(1, timeout=20, id=url)
    slack.wait_for("files.completeUploadExternal", timeout=10)
    [chart] = slack.files()
    assert chart.data is not None and chart.data.startswith(b"\x89PNG") and chart.channel_id == CHANNEL
    assert "ops-cdc" in json.dumps(answer.body)


def test_double_click_on_revalidate_reloads_once(
    start_bot: StartBot, ops_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Two Revalidate clicks in a row (two different signed requests) send ReloadTables once."""
    bot = start_bot(ops_sim, slack, config={"slack": {"operators": [OPERATOR]}})
    post = alert_post(slack)
    click(bot, slack, post, Action.REVALIDATE, OPERATOR)
    second = click(bot, slack, post, Action.REVALIDATE, OPERATOR)
    [refusal] = slack.wait_for_response(1, timeout=15, id=second)
    assert "moments ago" in json.dumps(refusal.body)
    slack.wait_for("chat.postMessage", count=2, timeout=20)
    assert ops_sim.counters()["calls"]["ReloadTables"] == 3
