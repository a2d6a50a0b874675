"""A DMS Serverless replication from Slack, end to end (``serve --http`` subprocess, simulator, fake
Slack): its alert names it and links its replication page; an operator's Revalidate double click
sends ReloadReplicationTables validate-only once (in batches of 10), never ReloadTables;
``/dms status``, ``/dms tables`` and ``/dms history`` answer for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.render.buttons import Action
from bot.sim import Scenario, SimServer
from tests.scenarios.e2e.test_alert_actions_e2e import OPERATOR, alert_post, button, click
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.serve_process import BotProcess

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]


def serverless_scenario() -> Scenario:
    """One running replication with 23 Mismatched tables among healthy ones, and no task."""
    tables: list[dict[str, Any]] = [
        {
            "schema": "pay",
            "name": f"bad_{i:02d}",
            "validation_state": "Mismatched records",
            "failed_records": 1,
        }
        for i in range(23)
    ]
    tables += [{"schema": "pay", "name": f"good_{i:02d}"} for i in range(7)]
    replication = {"id": "pay-sl", "replication_type": "cdc", "cdc_latency_source": 7, "tables": tables}
    return Scenario.from_dict(
        {"simulator": {"region": "eu-west-1", "account": "123456789012"}, "replications": [replication]}
    )


@pytest.fixture
def sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(serverless_scenario())


def test_the_alert_and_a_double_click_revalidate(
    start_bot: StartBot, sim: SimServer, slack: FakeSlackApi
) -> None:
    bot = start_bot(sim, slack, config={"slack": {"operators": [OPERATOR]}})
    post = alert_post(slack)
    blocks = json.dumps(post.params["blocks"])
    assert "DMS Serverless replication failing" in blocks
    assert "#serverlessReplicationDetails/pay-sl" in blocks
    confirm = button(post.params["blocks"], Action.REVALIDATE)["confirm"]["text"]["text"]
    assert "ReloadReplicationTables, validate-only" in confirm
    click(bot, slack, post, Action.REVALIDATE, OPERATOR)
    second = click(bot, slack, post, Action.REVALIDATE, OPERATOR)
    [refusal] = slack.wait_for_response(1, timeout=15, id=second)
    assert "a revalidation of this replication was sent moments ago" in json.dumps(refusal.body)
    reply = slack.wait_for("chat.postMessage", count=2, timeout=20)[-1]
    assert reply.params["thread_ts"] == post.response["ts"]
    assert "(3 ReloadReplicationTables requests)" in reply.params["text"]
    reloads = sim.reloads()
    assert [(r["op"], r["option"], len(r["tables"])) for r in reloads] == [
        ("ReloadReplicationTables", "validate-only", 10),
        ("ReloadReplicationTables", "validate-only", 10),
        ("ReloadReplicationTables", "validate-only", 3),
    ]
    calls = sim.counters()["calls"]
    assert calls["ReloadReplicationTables"] == 3 and calls.get("ReloadTables", 0) == 0


def test_status_tables_and_history_answer_for_the_replication(
    start_bot: StartBot, sim: SimServer, slack: FakeSlackApi
) -> None:
    bot = start_bot(sim, slack)
    alert_post(slack)
    answers = {}
    for command in ("status pay-sl", "tables pay-sl", "history pay-sl"):
        url = slack.new_response_url()
        assert bot.command(command, response_url=url).status_code == 200
        [answer] = slack.wait_for_response(1, timeout=20, id=url)
        answers[command] = json.dumps(answer.body)
    assert "#serverlessReplicationDetails/pay-sl" in answers["status pay-sl"]
    assert "CDC lag" in answers["status pay-sl"] and "source 7s" in answers["status pay-sl"]
    assert "pay.bad_00" in answers["tables pay-sl"]
    assert "pay-sl" in answers["history pay-sl"]
