"""Reusable checks that a message is one Slack would accept and that input could not inject markup.

Independent of the renderer's own budget code: limits are checked on the JSON with the Slack-fake's
validator (tests/fakes/block_limits.py), and tokens with regexes written from Slack's docs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from tests.support.fakes.block_limits import (
    MESSAGE_MAX_BLOCKS,
    VIEW_MAX_BLOCKS,
    block_errors,
    blocks_text_length,
)

BLOCKS_TEXT_LIMIT = 12_000
FALLBACK_LIMIT = 3000

# The only <…> tokens a renderer may create. Anything else containing < or > came from input.
RENDERER_TOKENS = re.compile(
    r"<!date\^\d+\^[^<>|^&]+\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ>"
    r"|<@[UW][A-Z0-9]+>"
    r"|<!subteam\^S[A-Z0-9]+>"
    r"|<https://[a-z0-9.-]+/dms/v2/home(?:\?region=[a-z0-9-]+)?#(?:taskDetails|serverlessReplicationDetails)/[A-Za-z0-9%._~-]*\|[^<>]*>"
)
FOREIGN_TOKEN = re.compile(r"<[!@#]|<https?:|<mailto:", re.IGNORECASE)
ENTITY = re.compile(r"&(?:amp|lt|gt);")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


def _parts(message: Any) -> tuple[str, list[Any]]:
    if isinstance(message, dict):
        return message.get("text", ""), message.get("blocks", [])
    return message.text, message.blocks


def texts(value: Any) -> Iterator[str]:
    """Every string Slack shows or parses: text objects' ``text``, not button values or ids."""
    if isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        if isinstance(value.get("text"), str):
            yield value["text"]
        for key, item in value.items():
            if key not in ("value", "action_id", "block_id", "url"):
                yield from texts(item)


def assert_within_slack_limits(message: Any) -> None:
    """Blocks valid and within every Slack limit, fallback text set: Slack would accept this."""
    text, blocks = _parts(message)
    errors = block_errors(blocks, max_blocks=MESSAGE_MAX_BLOCKS)
    assert not errors, errors
    total = blocks_text_length(blocks)
    assert total < BLOCKS_TEXT_LIMIT, f"blocks carry {total} characters of text"
    utf16 = sum(len(t.encode("utf-16-le", "surrogatepass")) // 2 for t in texts(blocks))
    assert utf16 < BLOCKS_TEXT_LIMIT, f"blocks carry {utf16} UTF-16 units of text"
    assert isinstance(text, str) and text.strip(), "the notification fallback text must be set"
    assert len(text) <= FALLBACK_LIMIT
    json.dumps({"text": text, "blocks": blocks}, ensure_ascii=False).encode("utf-8")


def _keep_link_label(match: re.Match[str]) -> str:
    """A link's label is input (escaped); keep it so the & check still sees it."""
    token = match.group(0)
    return token[token.index("|") + 1 : -1] if token.startswith("<https://") else ""


def assert_no_injected_markup(message: Any, *, users: Iterable[str] = ()) -> None:
    """Every ``<``/``>`` belongs to a token the renderer made, and every ``&`` starts an entity,
    so nothing from input can ping, link or mention; mentions only name the given ``users``; and
    no ``<!``/``<@``/``<http`` from input appears anywhere in the JSON, button values included."""
    text, blocks = _parts(message)
    allowed_users = set(users)
    for shown in [text, *texts(blocks)]:
        for user in MENTION.findall(shown):
            assert user in allowed_users, f"unexpected mention of {user} in {shown!r}"
        rest = RENDERER_TOKENS.sub(_keep_link_label, shown)
        assert "<" not in rest and ">" not in rest, f"stray angle bracket in {shown!r}"
        assert "&" not in ENTITY.sub("", rest), f"unescaped & in {shown!r}"
    everything = RENDERER_TOKENS.sub("", json.dumps([text, blocks], ensure_ascii=False))
    found = FOREIGN_TOKEN.search(everything)
    assert found is None, f"input token {found.group(0)!r} somewhere in the message JSON"


def assert_safe(message: Any, *, users: Iterable[str] = ()) -> None:
    """Both checks: within Slack's limits and free of injected markup."""
    assert_within_slack_limits(message)
    assert_no_injected_markup(message, users=users)


VIEW_PUBLISH_MAX_BYTES = 250_000  # views.publish answers view_too_large above 250 kB


def assert_view_within_slack_limits(view: Any) -> None:
    """A Home tab view Slack would publish: type home, ≤100 valid blocks, far below 250 kB."""
    assert view.get("type") == "home"
    errors = block_errors(view.get("blocks"), max_blocks=VIEW_MAX_BLOCKS)
    assert not errors, errors
    assert view["blocks"], "a view needs at least one block"
    encoded = len(json.dumps(view).encode())  # ensure_ascii, as slack_sdk sends it
    assert encoded < VIEW_PUBLISH_MAX_BYTES, f"view is {encoded} bytes"


def assert_view_safe(view: Any, *, users: Iterable[str] = ()) -> None:
    """A Home tab view within Slack's limits and free of injected markup."""
    assert_view_within_slack_limits(view)
    assert_no_injected_markup(view, users=users)
