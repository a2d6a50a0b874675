"""Payload builders produce requests a real Bolt App verifies and routes."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import (
    app_home_opened_event,
    block_actions_body,
    form_encode,
    interactive_form,
    sign,
    slash_command_body,
)

SECRET = "test-signing-secret"


def _dispatch(app: App, body: str, content_type: str) -> int:
    headers: dict[str, str | Sequence[str]] = {"content-type": content_type, **sign(body, SECRET)}
    return app.dispatch(BoltRequest(body=body, headers=headers)).status


def test_sign_matches_signature_verifier():
    """sign() headers pass SignatureVerifier, and an old timestamp does not."""
    body = form_encode(slash_command_body(text="orders-cdc"))
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, sign(body, SECRET))
    assert not verifier.is_valid_request(body, sign(body, SECRET, timestamp=int(time.time()) - 400))


def test_interactive_form_roundtrip():
    """interactive_form() encodes the payload as Slack does (payload=<json>)."""
    payload = block_actions_body("recheck", "task-1", channel_id="C9", message_ts="1.2")
    decoded = json.loads(parse_qs(interactive_form(payload))["payload"][0])
    assert decoded == payload and decoded["container"]["message_ts"] == "1.2"


def test_bolt_routes_signed_payloads(fake: FakeSlackApi):
    """Bolt verifies and routes the command, button click and app_home_opened builders."""
    app = App(client=WebClient(token=BOT_TOKEN, base_url=fake.url), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/dms")
    def on_command(ack, command):
        ack()
        seen.append(command["text"])

    @app.action("recheck")
    def on_action(ack, body, action):
        ack()
        seen.append(f"{action['value']}@{body['container']['message_ts']}")

    @app.event("app_home_opened")
    def on_home(event):
        seen.append(event["user"])

    form = "application/x-www-form-urlencoded"
    assert _dispatch(app, form_encode(slash_command_body(text="orders-cdc")), form) == 200
    payload = block_actions_body("recheck", "task-1", user_id="U1", channel_id="C1", message_ts="1.2")
    assert _dispatch(app, interactive_form(payload), form) == 200
    assert _dispatch(app, json.dumps(app_home_opened_event("U7")), "application/json") == 200
    deadline = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(seen) == sorted(["orders-cdc", "task-1@1.2", "U7"])
