"""The fake Slack Web API accepts what Slack accepts, over real HTTP with slack_sdk."""

from __future__ import annotations

import json
import time
import warnings

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.fakes.slack_api import APP_TOKEN, FakeSlackApi

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*orders-cdc*: 2 tables mismatched"}}


def _error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def test_auth_test_returns_identity_and_scopes(client: WebClient):
    """auth.test answers the bot identity and lists scopes in x-oauth-scopes."""
    resp = client.auth_test()
    assert resp["user_id"] == "UBOT" and resp["bot_id"] == "BBOT" and resp["team_id"] == "T0TEST"
    assert "chat:write" in resp.headers["x-oauth-scopes"].split(",")


def test_post_then_update_in_place(client: WebClient, fake: FakeSlackApi):
    """postMessage returns increasing ts; chat.update changes the same message."""
    first = client.chat_postMessage(channel="C1", text="report", blocks=[SECTION])
    second = client.chat_postMessage(channel="C1", text="other")
    assert abs(float(first["ts"]) - time.time()) < 60 and float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [SECTION] and first["channel"] == "C1"
    client.chat_update(channel="C1", ts=first["ts"], text="re-checked", blocks=[SECTION, {"type": "divider"}])
    current = fake.messages("C1")
    assert [m.ts for m in current] == [first["ts"], second["ts"]]
    assert current[0].text == "re-checked" and current[0].edits == 1 and len(current[0].blocks or []) == 2
    assert current[0].history[0]["text"] == "report"


def test_update_unknown_message_is_message_not_found(client: WebClient):
    """chat.update on a ts never posted fails like Slack."""
    assert _error(lambda: client.chat_update(channel="C1", ts="1.2", text="x")).response["error"] == (
        "message_not_found"
    )


def test_recorded_params_decode_blocks_and_flag_missing_text(client: WebClient, fake: FakeSlackApi):
    """Recordings hold decoded blocks and flag blocks sent without a fallback text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.chat_postMessage(channel="C1", blocks=[SECTION])
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "t", "blocks": json.dumps([SECTION])}
    )
    first, second = fake.wait_for("chat.postMessage", 2)
    assert first.params["blocks"] == [SECTION] and first.missing_text
    assert second.params["blocks"] == [SECTION] and not second.missing_text
    assert first.headers["authorization"] == "Bearer xoxb-test-token"


def test_ephemeral_views_publish_and_lookups(client: WebClient, fake: FakeSlackApi):
    """postEphemeral, views.publish, conversations.info and users.info answer like Slack."""
    assert client.chat_postEphemeral(channel="C1", user="U1", text="only you")["message_ts"]
    view = {"type": "home", "blocks": [SECTION] * 100}
    assert client.views_publish(user_id="U1", view=view)["view"]["type"] == "home"
    assert fake.home_view("U1") is not None
    assert client.conversations_info(channel="C9")["channel"]["is_member"] is True
    assert client.users_info(user="U1")["user"]["id"] == "U1"


def test_files_upload_v2_completes(client: WebClient, fake: FakeSlackApi):
    """files_upload_v2 runs all three steps against the fake and the bytes are kept."""
    resp = client.files_upload_v2(
        channel="C1",
        content=b"\x89PNG fake",
        filename="chart.png",
        title="Chart",
        initial_comment="see chart",
    )
    assert resp["file"]["title"] == "Chart"
    (uploaded,) = fake.files()
    assert uploaded.data == b"\x89PNG fake" and uploaded.channel_id == "C1"
    assert uploaded.initial_comment == "see chart" and uploaded.completed
    assert [r.method for r in fake.requests()][-2:] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_unknown_method(client: WebClient):
    """An unknown method answers unknown_method."""
    assert _error(lambda: client.api_call("chat.nope")).response["error"] == "unknown_method"


@pytest.mark.parametrize(
    ("token", "error"),
    [("xoxb-wrong", "invalid_auth"), (None, "not_authed"), (APP_TOKEN, "not_allowed_token_type")],
)
def test_bad_tokens_rejected(fake: FakeSlackApi, token, error):
    """Wrong, missing or wrong-type tokens are refused with HTTP 200 and ok=false."""
    err = _error(lambda: WebClient(token=token, base_url=fake.url).chat_postMessage(channel="C1", text="x"))
    assert err.response.status_code == 200 and err.response["error"] == error


def test_channel_membership_enforced():
    """Unknown channels and channels without the bot fail like Slack."""
    with FakeSlackApi(channels=["C1", "C2"], member_of=["C1"]) as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.url)
        assert client.chat_postMessage(channel="C1", text="x")["ok"]
        assert _error(lambda: client.chat_postMessage(channel="C3", text="x")).response["error"] == (
            "channel_not_found"
        )
        assert _error(lambda: client.chat_postMessage(channel="C2", text="x")).response["error"] == (
            "not_in_channel"
        )
        assert client.conversations_info(channel="C2")["channel"]["is_member"] is False
        fake.set_member("C2", True)
        assert client.chat_postMessage(channel="C2", text="x")["ok"]


def test_missing_scope():
    """A method whose scope is not granted answers missing_scope."""
    with FakeSlackApi(scopes=["chat:write"]) as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.url)
        err = _error(lambda: client.files_getUploadURLExternal(filename="a.png", length=3))
        assert err.response["error"] == "missing_scope" and err.response["needed"] == "files:write"
