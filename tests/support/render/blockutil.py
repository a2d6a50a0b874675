"""Small readers over rendered Block Kit dicts, so tests assert on what Slack would show."""

from __future__ import annotations

from typing import Any

from bot.render.buttons import decode_value
from tests.support.render.limits import texts


def all_text(message: Any) -> str:
    """Every shown string of the blocks, joined."""
    return "\n".join(texts(message.blocks))


def of_type(message: Any, kind: str) -> list[dict[str, Any]]:
    return [b for b in message.blocks if b["type"] == kind]


def buttons(message: Any) -> dict[str, dict[str, Any]]:
    """Buttons by label."""
    return {e["text"]["text"]: e for block in of_type(message, "actions") for e in block["elements"]}


def value(message: Any, label: str) -> dict[str, Any]:
    """The decoded value of the button with this label."""
    return decode_value(buttons(message)[label]["value"])


def header_text(message: Any) -> str:
    (block,) = of_type(message, "header")
    text: str = block["text"]["text"]
    return text
