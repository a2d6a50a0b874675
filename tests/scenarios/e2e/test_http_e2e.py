"""``serve --http`` end to end: a subprocess against the DMS simulator and the fake Slack API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from bot.render.buttons import Action, decode_value
from bot.sim import SimServer
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import form_encode, sign, slash_command_body
from tests.support.fakes.slack_response_url import ResponsePost
from tests.support.render.limits import assert_within_slack_limits
from tests.support.serve_process import CHANNEL, SIGNING_SECRET, BotProcess

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]


def button(blocks: list[dict], action_id: str) -> dict:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {json.dumps(blocks)[:500]}")


def billing_alert(slack: FakeSlackApi):
    posts = slack.wait_for("chat.postMessage", count=3, timeout=20)
    return next(p for p in posts if "billing-cdc is" in p.params["text"])


def body(post: ResponsePost) -> dict:
    assert post.body is not None, "response_url POST was not a JSON object"
    return post.body


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


def test_alerts_are_posted_within_seconds_of_start(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """The first sweep runs at start-up; each failing task's alert reaches the channel, within limits."""
    started = time.monotonic()
    start_bot(demo_sim, slack)
    posts = slack.wait_for("chat.postMessage", count=3, timeout=20)
    elapsed = time.monotonic() - started
    assert all(p.ok and p.params["channel"] == CHANNEL and p.params["text"] for p in posts)
    assert sorted(p.params["text"].split()[0] for p in posts) == [
        "billing-cdc",
        "crm-cdc",
        "payments-serverless",
    ]  # the failing tasks, and the failing DMS Serverless replication
    for post in posts:
        assert_within_slack_limits_params(post.params)
        assert button(post.params["blocks"], Action.RECHECK)
    print(f"first alert posted {elapsed:.2f}s after the process started")
    assert elapsed < 20


def assert_within_slack_limits_params(params: dict) -> None:
    from bot.render.kit import SlackMessage

    assert_within_slack_limits(SlackMessage(text=params["text"], blocks=params["blocks"]))


def test_status_of_one_task_answers_through_response_url(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """/dms status billing-cdc is acked at once and answered ephemerally with the right counts."""
    bot = start_bot(demo_sim, slack)
    url = slack.new_response_url()
    started = time.monotonic()
    response = bot.command("status billing-cdc", response_url=url)
    ack_seconds = time.monotonic() - started
    assert response.status_code == 200
    [answer] = slack.wait_for_response(1, timeout=15)
    answer_body = body(answer)
    assert answer_body["response_type"] == "ephemeral"
    text = all_text(answer_body["blocks"])
    assert "billing-cdc" in text
    assert "Mismatched records" in text and "Validated" in text
    assert "120" in text  # 120 validated tables in the demo scenario
    assert button(answer_body["blocks"], Action.SHARE)
    print(f"/dms status acknowledged in {ack_seconds * 1000:.0f} ms")
    assert ack_seconds < 3


def test_recheck_updates_the_same_message_in_place(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Re-check shows "re-checking", then the fresh result with who re-checked, on the same ts."""
    bot = start_bot(demo_sim, slack)
    post = billing_alert(slack)
    ts = post.response["ts"]
    recheck = button(post.params["blocks"], Action.RECHECK)
    response = bot.click(
        Action.RECHECK,
        recheck["value"],
        user_id="U777",
        channel_id=CHANNEL,
        message_ts=ts,
        message={"ts": ts, "blocks": post.params["blocks"], "text": post.params["text"]},
        response_url=slack.new_response_url(),
    )
    assert response.status_code == 200
    updates = slack.wait_for("chat.update", count=2, timeout=20)
    assert all(u.params["ts"] == ts and u.params["channel"] == CHANNEL for u in updates)
    assert "Re-checking" in all_text(updates[0].params["blocks"])
    assert "<@U777>" in all_text(updates[1].params["blocks"])
    assert len(slack.requests("chat.postMessage")) == 3  # updated, not re-posted
    [message] = [m for m in slack.messages(CHANNEL) if m.ts == ts]
    assert message.edits == 2


def test_recheck_on_an_old_message_still_works(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """A click on a message older than the data it shows re-checks and never crashes."""
    bot = start_bot(demo_sim, slack)
    post = billing_alert(slack)
    demo_sim.advance(3600 * 24)
    ts = post.response["ts"]
    bot.click(
        Action.RECHECK,
        json.dumps({"scope": "all"}),
        channel_id=CHANNEL,
        message_ts=ts,
        message={"ts": ts, "blocks": []},
    )
    updates = slack.wait_for("chat.update", count=2, timeout=20)
    assert updates[-1].ok


def test_show_tables_answers_ephemerally(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Show tables lists the problem tables without touching the channel message."""
    bot = start_bot(demo_sim, slack)
    post = billing_alert(slack)
    show = button(post.params["blocks"], Action.SHOW_TABLES)
    url = slack.new_response_url()
    bot.click(
        Action.SHOW_TABLES,
        show["value"],
        channel_id=CHANNEL,
        message_ts=post.response["ts"],
        response_url=url,
    )
    [answer] = slack.wait_for_response(1, timeout=15, id=url)
    assert body(answer)["response_type"] == "ephemeral"
    assert "invoice_lines" in all_text(body(answer)["blocks"])
    assert slack.requests("chat.update") == []


def test_share_posts_the_answer_in_channel(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """ "Share in channel" re-posts the answer visibly, saying who shared it."""
    bot = start_bot(demo_sim, slack)
    url = slack.new_response_url()
    bot.command("status inventory-cdc", response_url=url)
    [answer] = slack.wait_for_response(1, timeout=15, id=url)
    share = button(body(answer)["blocks"], Action.SHARE)
    share_url = slack.new_response_url()
    bot.click(Action.SHARE, share["value"], user_id="U555", channel_id=CHANNEL, response_url=share_url)
    [shared] = slack.wait_for_response(1, timeout=15, id=share_url)
    assert body(shared)["response_type"] == "in_channel"
    assert "inventory-cdc" in all_text(body(shared)["blocks"]) and "<@U555>" in all_text(
        body(shared)["blocks"]
    )


def test_tables_are_paged_with_next(start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi) -> None:
    """/dms tables pages with Next/Previous buttons that keep the state filter."""
    bot = start_bot(demo_sim, slack)
    url = slack.new_response_url()
    bot.command("tables inventory-cdc validated", response_url=url)
    [first] = slack.wait_for_response(1, timeout=15, id=url)
    nxt = next(
        e
        for b in body(first)["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == Action.TABLES_PAGE and decode_value(e["value"])["page"] == 1
    )
    page_url = slack.new_response_url()
    bot.click(Action.TABLES_PAGE, nxt["value"], channel_id=CHANNEL, response_url=page_url)
    [second] = slack.wait_for_response(1, timeout=15, id=page_url)
    assert body(second).get("replace_original") is True
    assert "2 of" in all_text(body(second)["blocks"]) or "page 2" in all_text(body(second)["blocks"]).lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/dms status"),
        ("frobnicate", "unknown command"),
        ("status inventroy-cdc", "inventory-cdc"),  # suggestion
        ("status cdc", "No task called"),
        ("tables", "needs a task name"),
    ],
)
def test_help_and_bad_input(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi, text: str, expected: str
) -> None:
    """Garbage shows help with the problem; unknown tasks suggest the closest names."""
    bot = start_bot(demo_sim, slack)
    url = slack.new_response_url()
    bot.command(text, response_url=url)
    [answer] = slack.wait_for_response(1, timeout=15, id=url)
    assert expected in all_text(body(answer)["blocks"])


def test_forged_signature_and_stale_timestamp_get_401(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """A request not signed with the signing secret, or signed over 5 minutes ago, is refused."""
    bot = start_bot(demo_sim, slack)
    body = form_encode(slash_command_body(text="status", response_url=slack.new_response_url()))
    forged = bot.post(
        body, content_type="application/x-www-form-urlencoded", headers=sign(body, "wrong-secret")
    )
    stale = bot.post(
        body,
        content_type="application/x-www-form-urlencoded",
        headers=sign(body, SIGNING_SECRET, timestamp=int(time.time()) - 301),
    )
    assert (forged.status_code, stale.status_code) == (401, 401)
    time.sleep(0.5)
    assert slack.response_posts() == []


def test_oversized_and_wrong_content_type_are_refused(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Bodies over 1 MB and non-Slack content types are refused before any work."""
    bot = start_bot(demo_sim, slack)
    big = "text=" + "x" * 1_100_000
    assert bot.post(big, content_type="application/x-www-form-urlencoded").status_code == 413
    assert bot.post("{}", content_type="text/xml").status_code == 415


def test_access_control_refuses_other_users(
    start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """With allowed_users set, anyone else gets a short ephemeral refusal and no DMS call is made."""
    bot = start_bot(demo_sim, slack, config={"slack": {"allowed_users": ["U111"]}})
    slack.wait_for("chat.postMessage", timeout=20)
    calls_before = demo_sim.total_calls()
    url = slack.new_response_url()
    bot.command("check billing-cdc", response_url=url, user="U999")
    [answer] = slack.wait_for_response(1, timeout=15, id=url)
    assert "not allowed" in all_text(body(answer)["blocks"])
    assert demo_sim.total_calls() == calls_before


def test_sigterm_exits_cleanly(start_bot: StartBot, demo_sim: SimServer, slack: FakeSlackApi) -> None:
    """SIGTERM stops the bot with exit code 0."""
    bot = start_bot(demo_sim, slack)
    slack.wait_for("chat.postMessage", timeout=20)
    assert bot.stop() == 0
