"""Socket Mode, the default deployment, end to end: the fake serves apps.connections.open and a
loopback WebSocket; the bot connects, acks a slash-command envelope and answers via response_url."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.sim import SimServer
from tests.support.fakes.slack_api import APP_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import slash_command_body
from tests.support.serve_process import CHANNEL, BotProcess

pytestmark = pytest.mark.slow


def test_slash_command_over_socket_mode(
    start_bot: Callable[..., BotProcess], demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """The envelope is acked quickly and the answer arrives through response_url."""
    bot = start_bot(demo_sim, slack, http=False, env={"SLACK_APP_TOKEN": APP_TOKEN})
    assert slack.socket_connected(timeout=20), bot.log()
    url = slack.new_response_url()
    payload = slash_command_body(text="status inventory-cdc", response_url=url, channel_id=CHANNEL)
    sent = time.monotonic()
    envelope = slack.send_envelope(payload, type="slash_commands")
    ack = slack.wait_for_ack(envelope, timeout=10)
    print(f"socket mode ack after {(time.monotonic() - sent) * 1000:.0f} ms")
    assert ack["envelope_id"] == envelope
    [answer] = slack.wait_for_response(1, timeout=15, id=url)
    assert answer.body is not None and "inventory-cdc" in str(answer.body["blocks"])
    slack.wait_for("chat.postMessage", timeout=20)  # the scheduler runs in Socket Mode too
    assert bot.stop() == 0


def test_socket_mode_without_app_token_is_a_clear_error(
    start_bot: Callable[..., BotProcess], demo_sim: SimServer, slack: FakeSlackApi
) -> None:
    """Neither SLACK_APP_TOKEN nor --http: one line saying what to set, exit 2."""
    bot = start_bot(demo_sim, slack, http=False)
    assert bot.proc.wait(20) == 2
    assert "SLACK_APP_TOKEN is not set" in bot.log()
    assert "Traceback" not in bot.log()
