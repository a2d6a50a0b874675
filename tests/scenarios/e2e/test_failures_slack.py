"""Failed rows in Slack, end to end: a ``serve --http`` subprocess, signed requests, the simulator
naming the task's target endpoint, and a REAL PostgreSQL target database holding DMS's control
table (hostile keys and details included) that a ``[[databases]]`` entry points at.

``/dms failures`` answers with the rows newest first, escaped, paged and shareable; the alert's
Failed rows button answers the same; the alert's thread gets the failed rows of its tables when
the incident opens and again when a table newly fails.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.render.buttons import Action, decode_value
from bot.sim import Scenario, SimServer
from bot.sim.model import resource_id
from tests.support.fakes.slack_api import FakeSlackApi, Recorded
from tests.support.fakes.slack_response_url import ResponsePost
from tests.support.render.limits import assert_safe
from tests.support.serve_process import CHANNEL, BotProcess, free_port
from tests.support.target_fixtures import FilledTarget, copy_rows

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]
REGION, ACCOUNT = "eu-west-1", "123456789012"
TASK = "shop-cdc"
ENDPOINT = "shop-target-pg"
DOWN_TASK, DOWN_ENDPOINT = "down-cdc", "down-target-pg"  # configured, but nothing listens there
COUNTS = "15 failed rows: 9 values differ, 3 missing on the target, 2 only on the target, 1 table warning"


def shop_scenario() -> Scenario:
    """shop-cdc writes to a PostgreSQL target; sales.orders fails now, sales.order_lines from 2m."""
    orders = {
        "schema": "sales",
        "name": "orders",
        "validation_state": "Mismatched records",
        "failed_records": 10,
    }
    lines = {
        "schema": "sales",
        "name": "order_lines",
        "validation_state": "Validated",
        "changes": [{"at": "2m", "validation_state": "Mismatched records", "failed_records": 4}],
    }
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION, "account": ACCOUNT},
            "tasks": [
                {
                    "id": TASK,
                    "migration_type": "cdc",
                    "target_endpoint": ENDPOINT,
                    "tables": [orders, lines, {"schema": "crm", "name": "contacts"}],
                },
                {
                    "id": DOWN_TASK,
                    "migration_type": "cdc",
                    "target_endpoint": DOWN_ENDPOINT,
                    "tables": [orders],
                },
            ],
            "endpoints": [
                {"id": ENDPOINT, "engine": "postgres", "server": "shop-db.internal", "port": 5432},
                {"id": DOWN_ENDPOINT, "engine": "postgres"},
            ],
        }
    )


@pytest.fixture
def shop_sim(start_sim: Callable[..., SimServer], postgres_target: FilledTarget) -> SimServer:
    copy_rows(postgres_target, resource_id("task", TASK, REGION, ACCOUNT))
    return start_sim(shop_scenario())


@pytest.fixture
def bot(
    start_bot: StartBot, shop_sim: SimServer, slack: FakeSlackApi, postgres_target: FilledTarget
) -> BotProcess:
    url = postgres_target.url
    databases = [
        {"endpoint": ENDPOINT, "url": f"postgresql://{url.username}@{url.host}:{url.port}/{url.database}"},
        {"endpoint": DOWN_ENDPOINT, "url": f"postgresql://reader:S3cret-pw@127.0.0.1:{free_port()}/shop"},
    ]
    return start_bot(shop_sim, slack, config={"databases": databases})


def body(post: ResponsePost) -> dict[str, Any]:
    assert post.body is not None, "response_url POST was not a JSON object"
    return post.body


def button(blocks: list[dict[str, Any]], action_id: str, **value: Any) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []):
            if (
                element.get("action_id") == action_id
                and value.items() <= decode_value(element["value"]).items()
            ):
                return element
    raise AssertionError(f"no {action_id} button {value} in {json.dumps(blocks)[:500]}")


def row_lines(blocks: list[dict[str, Any]]) -> list[str]:
    shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    return [line for line in shown.splitlines() if line.startswith("• ")]


def answer_to(bot: BotProcess, slack: FakeSlackApi, text: str) -> dict[str, Any]:
    url = slack.new_response_url()
    assert bot.command(text, response_url=url).status_code == 200
    [answer] = slack.wait_for_response(1, timeout=20, id=url)
    return body(answer)


def click(bot: BotProcess, slack: FakeSlackApi, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
    url = slack.new_response_url()
    response = bot.click(element["action_id"], element["value"], channel_id=CHANNEL, response_url=url, **kw)
    assert response.status_code == 200
    [answer] = slack.wait_for_response(1, timeout=20, id=url)
    return body(answer)


def test_dms_failures_answers_with_the_rows_newest_first_escaped_paged_and_shareable(
    bot: BotProcess, slack: FakeSlackApi
) -> None:
    first = answer_to(bot, slack, f"failures {TASK}")
    assert first["response_type"] == "ephemeral"
    assert_safe(first)
    text = json.dumps(first["blocks"])
    assert COUNTS in text and ENDPOINT in text and "page 1 of 2" in text
    lines = row_lines(first["blocks"])
    assert len(lines) == 10
    assert "*crm.contacts* · table warning · key {}" in lines[0]  # minute 17, the newest
    assert "*sales.order_lines* · only on the target · key {not json" in lines[1]
    assert "key &lt;!channel&gt;, *bold* _it_ ~s~ `code` &lt;http://evil.example|click&gt;" in lines[3]
    assert "&lt;!here&gt;" in lines[3] and "<!channel>" not in text and "<!here>" not in text
    stamps = [int(line.split("^")[1]) for line in lines]
    assert stamps == sorted(stamps, reverse=True)

    second = click(bot, slack, button(first["blocks"], Action.FAILURES_PAGE, page=1))
    assert second.get("replace_original") is True
    assert "page 2 of 2" in json.dumps(second["blocks"])
    assert [line.split(" · key ")[1].split(" ")[0] for line in row_lines(second["blocks"])] == [
        "1005",
        "1004",
        "1003",
        "1002",
        "1001",
    ]
    button(second["blocks"], Action.FAILURES_PAGE, page=0)  # Previous

    shared = click(bot, slack, button(first["blocks"], Action.SHARE), user_id="U0SHARER")
    assert shared["response_type"] == "in_channel"
    assert COUNTS in json.dumps(shared["blocks"]) and "<@U0SHARER>" in json.dumps(shared["blocks"])


def test_dms_failures_of_one_table(bot: BotProcess, slack: FakeSlackApi) -> None:
    answer = answer_to(bot, slack, f"failures {TASK} sales.orders")
    text = json.dumps(answer["blocks"])
    assert "10 failed rows: 7 values differ, 2 missing on the target, 1 only on the target" in text
    assert all("*sales.orders*" in line for line in row_lines(answer["blocks"]))
    share = decode_value(button(answer["blocks"], Action.SHARE)["value"])
    assert share == {"command": f"failures {TASK} sales.orders"}


def posts_until(slack: FakeSlackApi, wanted: Callable[[Recorded], bool], count: int) -> list[Recorded]:
    """The chat.postMessage calls ``wanted`` picks, once there are ``count`` of them (30s at most)."""
    deadline = time.monotonic() + 30
    while True:
        found = [r for r in slack.requests("chat.postMessage") if wanted(r)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def alert_post(slack: FakeSlackApi, task: str = TASK) -> Recorded:
    [post] = posts_until(slack, lambda r: "thread_ts" not in r.params and f"{task} is" in r.params["text"], 1)
    return post


def thread_replies(slack: FakeSlackApi, ts: str, count: int) -> list[Recorded]:
    return posts_until(slack, lambda r: r.params.get("thread_ts") == ts, count)


def test_the_alert_offers_failed_rows_and_its_thread_gets_them_for_each_table_that_joins(
    bot: BotProcess, shop_sim: SimServer, slack: FakeSlackApi
) -> None:
    post = alert_post(slack)
    ts = post.response["ts"]
    [opened] = thread_replies(slack, ts, 1)
    opened_text = json.dumps(opened.params["blocks"])
    assert (
        "*sales.orders*: 10 failed rows: 7 values differ, 2 missing on the target, 1 only on the target"
        in (opened_text)
    )
    assert "newest keys 3001, 2002, 2001, 1007, 1006" in opened_text
    assert_safe(opened.params)

    failed_rows = button(post.params["blocks"], Action.FAILED_ROWS)
    answer = click(bot, slack, failed_rows, user_id="U0ONCALL", message_ts=ts)
    assert answer["response_type"] == "ephemeral" and answer.get("replace_original") is not True
    assert COUNTS in json.dumps(answer["blocks"]) and len(row_lines(answer["blocks"])) == 10

    shop_sim.advance(180)  # sales.order_lines turns Mismatched records at 2 minutes
    recheck = button(post.params["blocks"], Action.RECHECK)
    bot.click(Action.RECHECK, recheck["value"], user_id="U0ONCALL", channel_id=CHANNEL, message_ts=ts)
    replies = thread_replies(slack, ts, 3)
    assert len(replies) == 3  # the first post's, "1 more table failing", and its failed rows
    joined = json.dumps(replies[-1].params["blocks"])
    assert (
        "*sales.order_lines*: 4 failed rows: 2 values differ, 1 only on the target, 1 missing on the target"
        in (joined)
    )
    assert "sales.orders*" not in joined and "&lt;!channel&gt;" in joined and "<!channel>" not in joined
    assert_safe(replies[-1].params)


def test_a_database_that_cannot_be_read_is_one_honest_line_in_the_answer_and_the_thread(
    bot: BotProcess, slack: FakeSlackApi
) -> None:
    answer = answer_to(bot, slack, f"failures {DOWN_TASK}")
    assert answer["text"].startswith(f":warning: Failed rows of {DOWN_TASK} could not be read: ")
    assert DOWN_ENDPOINT in answer["text"] and "S3cret-pw" not in json.dumps(answer)
    assert row_lines(answer["blocks"]) == [] and len(answer["blocks"]) == 1
    post = alert_post(slack, DOWN_TASK)
    assert button(post.params["blocks"], Action.FAILED_ROWS)  # configured: the button is there
    [reply] = thread_replies(slack, post.response["ts"], 1)
    assert "The target database could not be read for failed rows: " in reply.params["text"] + json.dumps(
        reply.params["blocks"]
    )
    assert "S3cret-pw" not in json.dumps(reply.params)
