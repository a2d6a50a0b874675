"""The fake's message metadata and conversations.history / .replies, and its lost-answer mode, over
real HTTP with slack_sdk."""

from __future__ import annotations

import time
from http.client import RemoteDisconnected
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi

META = {"event_type": "dms_bot_post", "event_payload": {"outbox_key": "alert:x:1:post"}}


def test_metadata_round_trips_only_with_include_all_metadata(client: WebClient):
    """Stored as sent; conversations.history returns it only when include_all_metadata is set."""
    ts = client.chat_postMessage(channel="C1", text="alert", metadata=META)["ts"]
    plain = client.conversations_history(channel="C1")["messages"]
    full = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["ts"] for m in plain] == [ts] and "metadata" not in plain[0]
    assert full[0]["metadata"] == META and full[0]["bot_id"] == "BBOT"


@pytest.mark.parametrize(
    "metadata",
    [
        {"event_type": "dms.bot.post", "event_payload": {"k": "v"}},  # periods are not allowed
        {"event_type": "dms bot", "event_payload": {"k": "v"}},
        {"event_type": "dms_bot_post", "event_payload": "not an object"},
        {"event_payload": {"k": "v"}},
    ],
)
def test_invalid_metadata_schema_is_ignored_with_a_warning(client: WebClient, metadata):
    """Like Slack: the message is posted, the metadata dropped, and the answer warns."""
    answer = client.chat_postMessage(channel="C1", text="x", metadata=metadata)
    assert answer["warning"] == "invalid_metadata_schema"
    [msg] = client.conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert "metadata" not in msg


def test_metadata_that_is_not_a_json_object_fails_the_post(client: WebClient, fake: FakeSlackApi):
    with pytest.raises(SlackApiError) as info:
        client.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "metadata": "{oops"})
    assert info.value.response["error"] == "invalid_metadata_format" and fake.messages("C1") == []


def test_history_bounds_limit_and_cursor(client: WebClient):
    """Newest first, top-level only; oldest/latest exclusive unless inclusive; limit and cursor page."""
    stamps = [client.chat_postMessage(channel="C1", text=f"m{i}")["ts"] for i in range(5)]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=stamps[0])
    between = client.conversations_history(channel="C1", oldest=stamps[1], latest=stamps[3])
    assert [m["ts"] for m in between["messages"]] == [stamps[2]]
    inclusive = client.conversations_history(channel="C1", oldest=stamps[1], latest=stamps[3], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == [stamps[3], stamps[2], stamps[1]]
    first = client.conversations_history(channel="C1", limit=2)
    assert [m["ts"] for m in first["messages"]] == [stamps[4], stamps[3]] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C1", limit=10, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [stamps[2], stamps[1], stamps[0]] and not rest["has_more"]


def test_replies_are_the_parent_then_its_replies_with_metadata(client: WebClient):
    parent = client.chat_postMessage(channel="C1", text="alert")["ts"]
    reply = client.chat_postMessage(channel="C1", text="r", thread_ts=parent, metadata=META)["ts"]
    client.chat_postMessage(channel="C1", text="elsewhere")
    answer = client.conversations_replies(channel="C1", ts=parent, include_all_metadata=True)
    assert [m["ts"] for m in answer["messages"]] == [parent, reply]
    assert answer["messages"][1]["metadata"] == META
    later = client.conversations_replies(channel="C1", ts=parent, oldest=reply)
    assert [m["ts"] for m in later["messages"]] == [parent]  # the reply is not after itself


def test_reading_history_needs_the_scope_and_membership(fake: FakeSlackApi):
    """missing_scope names channels:history (public) or groups:history (private G…); not_in_channel."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    fake.workspace.scopes = [s for s in fake.workspace.scopes if not s.endswith(":history")]
    for channel, scope in (("C1", "channels:history"), ("G1", "groups:history")):
        fake.add_channel(channel)
        with pytest.raises(SlackApiError) as info:
            client.conversations_history(channel=channel)
        assert (info.value.response["error"], info.value.response["needed"]) == ("missing_scope", scope)
    fake.workspace.scopes.append("channels:history")
    fake.set_member("C1", False)
    with pytest.raises(SlackApiError) as info:
        client.conversations_history(channel="C1")
    assert info.value.response["error"] == "not_in_channel"


def test_lost_answer_by_reset_still_posts_once(fake: FakeSlackApi):
    """The connection drops after the post took effect: the caller sees an error, the channel one message."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[])
    fake.lose_answer("chat.postMessage", how="reset")
    with pytest.raises((URLError, ConnectionError, RemoteDisconnected)):
        client.chat_postMessage(channel="C1", text="lost", metadata=META)
    [msg] = fake.messages("C1")
    assert msg.text == "lost" and msg.metadata == META
    client.chat_postMessage(channel="C1", text="next")  # one fault only
    assert len(fake.messages("C1")) == 2


def test_lost_answer_by_timeout(fake: FakeSlackApi):
    """The answer comes after the client's timeout: the client gives up, the post is there."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=1, retry_handlers=[])
    fake.lose_answer("chat.postMessage", how="timeout", delay=2.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="slow")
    assert time.monotonic() - started < 1.9 and len(fake.messages("C1")) == 1
