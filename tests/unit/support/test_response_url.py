"""The fake's response_url receiver, driven by slack_sdk's WebhookClient (what Bolt's respond() uses)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from tests.support.fakes.slack_api import FakeSlackApi


def test_response_url_post_recorded_and_answered_ok(fake: FakeSlackApi):
    """A JSON POST to a response_url is answered 200 "ok" and recorded."""
    url = fake.new_response_url()
    resp = WebhookClient(url).send(text="checking...", response_type="ephemeral")
    assert (resp.status_code, resp.body) == (200, "ok")
    (post,) = fake.wait_for_response(1)
    assert post.body == {"text": "checking...", "response_type": "ephemeral"}
    assert fake.response_posts(url) == [post]


def test_replace_original_updates_tied_message(client: WebClient, fake: FakeSlackApi):
    """replace_original through a response_url tied to a message updates it in place."""
    ts = client.chat_postMessage(channel="C1", text="before")["ts"]
    url = fake.new_response_url(channel="C1", message_ts=ts)
    WebhookClient(url).send(text="after", replace_original=True)
    (msg,) = fake.messages("C1")
    assert (msg.ts, msg.text, msg.edits) == (ts, "after", 1)


def test_response_url_rejects_invalid_blocks(fake: FakeSlackApi):
    """Over-limit blocks on a response_url get HTTP 400 invalid_blocks."""
    resp = WebhookClient(fake.new_response_url()).send(text="x", blocks=[{"type": "divider"}] * 51)
    assert (resp.status_code, resp.body) == (400, "invalid_blocks")
    assert fake.response_posts()[0].status == 400


def test_unknown_response_url_is_404(fake: FakeSlackApi):
    """A response_url the fake never issued answers 404."""
    resp = WebhookClient(f"{fake.base_url}/response/nope").send(text="x")
    assert resp.status_code == 404
