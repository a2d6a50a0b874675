"""Builders for what Slack sends to the bot: slash commands, button clicks, events, signatures."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0TEST"
TEAM_DOMAIN = "test"
API_APP_ID = "A123"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0TEST/1/fake"


def _trigger_id() -> str:
    return f"{int(time.time())}.1234.fake{time.monotonic_ns() % 10**8:08d}"


def slash_command_body(
    command: str = "/dms",
    text: str = "",
    user_id: str = "U123",
    channel_id: str = "C123",
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command invocation (also the Socket Mode payload)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_id.lower(),
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }


def block_actions_body(
    action_id: str,
    value: str,
    *,
    user_id: str = "U123",
    channel_id: str = "C123",
    message_ts: str = "1700000000.000100",
    response_url: str = DEFAULT_RESPONSE_URL,
    message: dict[str, Any] | None = None,
    block_id: str = "actions",
) -> dict[str, Any]:
    """The `payload` Slack sends when a button in a channel message is clicked."""
    user_name = user_id.lower()
    msg = message or {"type": "message", "ts": message_ts, "text": "", "blocks": []}
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": _trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "message": msg,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def app_home_opened_event(user_id: str = "U123", *, tab: str = "home") -> dict[str, Any]:
    """An Events API `event_callback` body for `app_home_opened`."""
    now = int(time.time())
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D0HOME",
            "tab": tab,
            "event_ts": f"{now}.000100",
        },
        "type": "event_callback",
        "event_id": f"Ev{now}{time.monotonic_ns() % 10**6:06d}",
        "event_time": now,
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }


def form_encode(fields: dict[str, str]) -> str:
    """`application/x-www-form-urlencoded` body, as Slack sends slash commands."""
    return urlencode(fields)


def interactive_form(payload: dict[str, Any]) -> str:
    """`payload=<urlencoded JSON>` body, as Slack sends interactivity requests."""
    return urlencode({"payload": json.dumps(payload)})


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """`X-Slack-Request-Timestamp` / `X-Slack-Signature` headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def function_executed_event(
    callback_id: str, inputs: dict[str, Any], *, execution_id: str, bot_access_token: str
) -> dict[str, Any]:
    """An Events API ``event_callback`` body for ``function_executed`` (a Workflow Builder step ran)."""
    now = int(time.time())
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": {
            "type": "function_executed",
            "function": {
                "id": "Fn0CUTOVER1",
                "callback_id": callback_id,
                "title": "Cutover gate",
                "type": "app",
                "app_id": API_APP_ID,
                "date_created": now,
                "date_updated": now,
            },
            "inputs": inputs,
            "function_execution_id": execution_id,
            "workflow_execution_id": f"Wx{execution_id[2:]}",
            "event_ts": f"{now}.000200",
            "bot_access_token": bot_access_token,
        },
        "type": "event_callback",
        "event_id": f"Ev{now}{time.monotonic_ns() % 10**6:06d}",
        "event_time": now,
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
    }
