"""The fake rejects over-limit Block Kit payloads with Slack's error codes."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


def _text(n: int, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": "x" * n}


def _section(n: int = 10) -> dict[str, Any]:
    return {"type": "section", "text": _text(n)}


def _button(**over: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": "recheck", "text": _text(8, "plain_text"), "value": "v", **over}


def _confirm(**over: Any) -> dict[str, Any]:
    base = {"title": _text(5, "plain_text"), "text": _text(5), "confirm": _text(3, "plain_text")}
    return {**base, "deny": _text(3, "plain_text"), **over}


def _actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def _context(n: int) -> dict[str, Any]:
    return {"type": "context", "elements": [_text(3)] * n}


VALID = [
    _section(3000),
    {"type": "section", "fields": [_text(2000)] * 5},
    {"type": "header", "text": _text(150, "plain_text")},
    {"type": "divider", "block_id": "b" * 255},
    _actions(*[_button(action_id=f"a{i}") for i in range(25)]),
    _actions(_button(text=_text(75, "plain_text"), value="v" * 2000, url="https://e.x/" + "p" * 2980)),
    _actions(_button(confirm=_confirm(title=_text(100, "plain_text"), text=_text(300)))),
    _context(10),
]

POINTER = "[json-pointer:/blocks/0"
OVER_LIMIT = [
    ("blocks>50", [{"type": "divider"}] * 51, "no more than 50 items allowed [json-pointer:/blocks]"),
    ("section text>3000", [_section(3001)], f"must be less than 3001 characters {POINTER}/text/text]"),
    ("section text empty", [_section(0)], f"must be more than 0 characters {POINTER}/text/text]"),
    ("fields>10", [{"type": "section", "fields": [_text(1)] * 11}], f"{POINTER}/fields]"),
    ("field>2000", [{"type": "section", "fields": [_text(2001)]}], f"{POINTER}/fields/0/text]"),
    ("header>150", [{"type": "header", "text": _text(151, "plain_text")}], f"{POINTER}/text/text]"),
    ("header mrkdwn", [{"type": "header", "text": _text(5)}], f"{POINTER}/text/type]"),
    ("block_id>255", [{"type": "divider", "block_id": "b" * 256}], f"{POINTER}/block_id]"),
    ("action_id>255", [_actions(_button(action_id="a" * 256))], f"{POINTER}/elements/0/action_id]"),
    ("button text>75", [_actions(_button(text=_text(76, "plain_text")))], f"{POINTER}/elements/0/text/text]"),
    ("button value>2000", [_actions(_button(value="v" * 2001))], f"{POINTER}/elements/0/value]"),
    ("button url>3000", [_actions(_button(url="u" * 3001))], f"{POINTER}/elements/0/url]"),
    ("actions>25", [_actions(*[_button()] * 26)], f"no more than 25 items allowed {POINTER}/elements]"),
    ("context>10", [_context(11)], f"no more than 10 items allowed {POINTER}/elements]"),
    (
        "confirm title>100",
        [_actions(_button(confirm=_confirm(title=_text(101, "plain_text"))))],
        "/title/text]",
    ),
    ("confirm text>300", [_actions(_button(confirm=_confirm(text=_text(301))))], "/confirm/text/text]"),
    (
        "confirm ok>30",
        [_actions(_button(confirm=_confirm(confirm=_text(31, "plain_text"))))],
        "/confirm/text]",
    ),
    ("confirm deny>30", [_actions(_button(confirm=_confirm(deny=_text(31, "plain_text"))))], "/deny/text]"),
    ("unknown block", [{"type": "carousel"}], f"unsupported type: carousel {POINTER}/type]"),
]


def _post(client: WebClient, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", **kwargs)
    return info.value


def test_valid_edge_of_limit_blocks_accepted(client: WebClient):
    """Every block exactly at its limit is accepted."""
    for block in VALID:
        assert client.chat_postMessage(channel="C1", text="fallback", blocks=[block])["ok"], block


@pytest.mark.parametrize(("blocks", "expected"), [c[1:] for c in OVER_LIMIT], ids=[c[0] for c in OVER_LIMIT])
def test_over_limit_blocks_rejected(client: WebClient, blocks, expected):
    """Each over-limit block answers invalid_blocks with a json-pointer error."""
    err = _post(client, text="fallback", blocks=blocks)
    assert err.response["error"] == "invalid_blocks"
    assert any(expected in e for e in err.response["errors"]), err.response["errors"]


def test_message_level_errors(client: WebClient):
    """Format, total text, cumulative block text and empty messages get their own errors."""
    assert _post(client, text="x", blocks='{"type": "divider"}').response["error"] == "invalid_blocks_format"
    assert _post(client, text="x", blocks="not json").response["error"] == "invalid_blocks_format"
    assert _post(client, text="x" * 40_001).response["error"] == "msg_too_long"
    assert _post(client, text="x", blocks=[_section(3000)] * 5).response["error"] == "msg_blocks_too_long"
    with pytest.warns(UserWarning, match="text"):
        assert _post(client, text="").response["error"] == "no_text"


def test_update_and_ephemeral_validate_blocks(client: WebClient):
    """chat.update and chat.postEphemeral apply the same limits."""
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_update(channel="C1", ts=ts, text="x", blocks=[_section(3001)])
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postEphemeral(channel="C1", user="U1", text="x", blocks=[{"type": "divider"}] * 51)


def test_views_allow_100_blocks_not_101(client: WebClient):
    """Home views take 100 blocks; 101 is invalid_blocks."""
    with pytest.raises(SlackApiError) as info:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert info.value.response["errors"] == ["no more than 100 items allowed [json-pointer:/view/blocks]"]
