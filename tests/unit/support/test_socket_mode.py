"""Socket Mode round trip: a real Bolt App + SocketModeHandler against the fake."""

from __future__ import annotations

import logging

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import slash_command_body


def test_bolt_socket_mode_slash_command_ack(fake: FakeSlackApi):
    """Bolt connects via apps.connections.open, acks an envelope with text, and reconnects on disconnect."""
    web_client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    app = App(client=web_client, signing_secret="unused-in-socket-mode", logger=logging.getLogger("bolt"))

    @app.command("/dms")
    def dms(ack, command):
        ack(f"status of {command['text']}")

    handler = SocketModeHandler(app, APP_TOKEN, web_client=web_client)
    handler.connect()
    try:
        assert fake.socket_connected(timeout=5)
        envelope_id = fake.send_envelope(slash_command_body(text="orders-cdc"))
        ack = fake.wait_for_ack(envelope_id, timeout=5)
        assert ack == {"envelope_id": envelope_id, "payload": {"text": "status of orders-cdc"}}
        assert fake.acks()[0].latency < 3
        assert fake.requests("apps.connections.open")[0].ok
        fake.socket_mode.send_disconnect()  # Slack asks the client to reconnect
        fake.wait_for("apps.connections.open", 2)
        second = fake.send_envelope(slash_command_body(text="billing-cdc"))
        assert fake.wait_for_ack(second)["payload"] == {"text": "status of billing-cdc"}
        assert fake.socket_mode.connections_opened == 2
    finally:
        handler.close()


def test_send_envelope_without_client_fails_fast(fake: FakeSlackApi):
    """send_envelope raises AssertionError when no client connects in time."""
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        fake.send_envelope({"command": "/dms"}, timeout=0.2)


def test_connections_open_requires_app_token(fake: FakeSlackApi, client: WebClient):
    """apps.connections.open with the bot token is refused."""
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        client.api_call("apps.connections.open")  # bot token, not the xapp token
