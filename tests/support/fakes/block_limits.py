"""Block Kit limits checked on raw JSON, the way Slack's API rejects payloads.

Deliberately independent of slack_sdk.models: the point is to catch what the bot sends.
Error strings imitate Slack's `invalid_blocks` entries, e.g.
`"no more than 50 items allowed [json-pointer:/blocks]"`.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000
BLOCKS_TEXT_MAX = 12_000

BLOCK_TYPES = frozenset(
    {
        "actions", "context", "divider", "file", "header", "image", "input",
        "markdown", "rich_text", "section", "table", "video",
    }
)  # fmt: skip
ELEMENT_TYPES = frozenset(
    {
        "button", "channels_select", "checkboxes", "conversations_select", "datepicker",
        "datetimepicker", "email_text_input", "external_select", "file_input", "image",
        "multi_channels_select", "multi_conversations_select", "multi_external_select",
        "multi_static_select", "multi_users_select", "number_input", "overflow",
        "plain_text_input", "radio_buttons", "rich_text_input", "static_select", "timepicker",
        "url_text_input", "users_select", "workflow_button",
    }
)  # fmt: skip
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


class BlocksFormatError(ValueError):
    """`blocks` is not a JSON array (Slack: `invalid_blocks_format`)."""


def parse_blocks(raw: Any) -> list[Any]:
    """Decode `blocks` as it arrived (list, or JSON string inside a form body)."""
    value = raw
    if isinstance(raw, str | bytes):
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise BlocksFormatError(str(exc)) from exc
    if not isinstance(value, list):
        raise BlocksFormatError("blocks must be an array")
    return value


def _err(message: str, pointer: str) -> str:
    return f"{message} [json-pointer:{pointer}]"


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def length(self, value: Any, limit: int, pointer: str, *, minimum: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.errors.append(_err("must be a string", pointer))
        elif len(value) > limit:
            self.errors.append(_err(f"must be less than {limit + 1} characters", pointer))
        elif len(value) < minimum:
            self.errors.append(_err(f"must be more than {minimum - 1} characters", pointer))

    def count(self, items: Any, limit: int, pointer: str) -> list[Any]:
        if not isinstance(items, list):
            self.errors.append(_err("must be an array", pointer))
            return []
        if len(items) > limit:
            self.errors.append(_err(f"no more than {limit} items allowed", pointer))
        return items

    def text_obj(self, obj: Any, limit: int, pointer: str, *, plain_only: bool = False) -> None:
        if not isinstance(obj, dict):
            self.errors.append(_err("must be a text object", pointer))
            return
        allowed = {"plain_text"} if plain_only else TEXT_TYPES
        if obj.get("type") not in allowed:
            expected = " or ".join(sorted(allowed))
            self.errors.append(_err(f"must be a valid enum value ({expected})", f"{pointer}/type"))
        if obj.get("text") is None:
            self.errors.append(_err("missing required field: text", pointer))
        self.length(obj.get("text"), limit, f"{pointer}/text", minimum=1)

    def confirm(self, obj: Any, pointer: str) -> None:
        if not isinstance(obj, dict):
            self.errors.append(_err("must be an object", pointer))
            return
        for key, limit in (("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)):
            self.text_obj(obj.get(key), limit, f"{pointer}/{key}", plain_only=key != "text")

    def element(self, el: Any, pointer: str) -> None:
        if not isinstance(el, dict):
            self.errors.append(_err("must be an object", pointer))
            return
        kind = el.get("type")
        if kind not in ELEMENT_TYPES:
            self.errors.append(_err(f"unsupported type: {kind}", f"{pointer}/type"))
            return
        self.length(el.get("action_id"), 255, f"{pointer}/action_id")
        if "confirm" in el:
            self.confirm(el["confirm"], f"{pointer}/confirm")
        if kind == "button":
            self.text_obj(el.get("text"), 75, f"{pointer}/text", plain_only=True)
            self.length(el.get("value"), 2000, f"{pointer}/value")
            self.length(el.get("url"), 3000, f"{pointer}/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.errors.append(_err("must be a valid enum value", f"{pointer}/style"))
        elif kind == "image":
            self.length(el.get("image_url"), 3000, f"{pointer}/image_url")
            self.length(el.get("alt_text"), 2000, f"{pointer}/alt_text", minimum=1)

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.errors.append(_err("must be an object", pointer))
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.errors.append(_err(f"unsupported type: {kind}", f"{pointer}/type"))
            return
        self.length(block.get("block_id"), 255, f"{pointer}/block_id")
        getattr(self, f"block_{kind}", lambda _b, _p: None)(block, pointer)

    def block_section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.errors.append(_err("must provide either text or fields", pointer))
        if "text" in block:
            self.text_obj(block["text"], 3000, f"{pointer}/text")
        if "fields" in block:
            fields = self.count(block["fields"], 10, f"{pointer}/fields")
            for i, item in enumerate(fields):
                self.text_obj(item, 2000, f"{pointer}/fields/{i}")
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory")

    def block_header(self, block: dict[str, Any], pointer: str) -> None:
        self.text_obj(block.get("text"), 150, f"{pointer}/text", plain_only=True)

    def block_actions(self, block: dict[str, Any], pointer: str) -> None:
        elements = self.count(block.get("elements"), 25, f"{pointer}/elements")
        for i, el in enumerate(elements):
            self.element(el, f"{pointer}/elements/{i}")

    def block_context(self, block: dict[str, Any], pointer: str) -> None:
        elements = self.count(block.get("elements"), 10, f"{pointer}/elements")
        for i, el in enumerate(elements):
            where = f"{pointer}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                self.element(el, where)
            else:
                self.text_obj(el, 3000, where)

    def block_image(self, block: dict[str, Any], pointer: str) -> None:
        if "image_url" in block:
            self.length(block["image_url"], 3000, f"{pointer}/image_url")
        elif "slack_file" not in block:
            self.errors.append(_err("must provide image_url or slack_file", pointer))
        self.length(block.get("alt_text", ""), 2000, f"{pointer}/alt_text", minimum=1)
        if "title" in block:
            self.text_obj(block["title"], 2000, f"{pointer}/title", plain_only=True)

    def block_markdown(self, block: dict[str, Any], pointer: str) -> None:
        self.length(block.get("text", ""), 12_000, f"{pointer}/text", minimum=1)


def block_errors(blocks: list[Any], *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Every limit violation in `blocks`, as Slack-style error strings (empty list = valid)."""
    checker = _Checker()
    checker.count(blocks, max_blocks, pointer)
    for i, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{i}")
    return checker.errors


def blocks_text_length(value: Any) -> int:
    """Cumulative characters of every text object / markdown text inside `value`."""
    if isinstance(value, list):
        return sum(blocks_text_length(item) for item in value)
    if not isinstance(value, dict):
        return 0
    own = 0
    if value.get("type") in {"plain_text", "mrkdwn", "markdown", "text"} and isinstance(
        value.get("text"), str
    ):
        own = len(value["text"])
    return own + sum(blocks_text_length(v) for v in value.values() if isinstance(v, dict | list))
