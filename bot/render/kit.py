"""The message type, typed block constructors and a builder that keeps a message inside Slack's limits.

Blocks are made with slack_sdk's models and turned into dicts at once, so a per-block limit
(3,000 per section, 150 per header, 10 fields, 25 buttons …) raises in tests rather than in
production. The limits Slack checks only on its side — 50 blocks and the ~12,000-character total
(``msg_blocks_too_long``) — are enforced by :class:`Builder`, which counts every block it adds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.render.buttons import Action, encode_value
from bot.render.mrkdwn import clip, clip_markup, size

MAX_BLOCKS = 50
TEXT_BUDGET = 10_000  # Slack answers msg_blocks_too_long at ~12,000; keep a margin
SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
CONTEXT_MAX = 2000
FALLBACK_MAX = 3000

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """What a renderer returns: the notification fallback ``text`` (always set) and the blocks."""

    text: str
    blocks: list[Block]

    def to_dict(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage / chat.update / response_url."""
        return {"text": self.text, "blocks": self.blocks}


def message(text: str, blocks: list[Block]) -> SlackMessage:
    """A message whose fallback text is never empty and never over the limit."""
    return SlackMessage(text=clip_markup(text, FALLBACK_MAX) or "DMS validation", blocks=blocks)


def text_size(value: Any) -> int:
    """Characters of every text object inside ``value`` — what Slack's cumulative limit counts."""
    if isinstance(value, list):
        return sum(text_size(item) for item in value)
    if not isinstance(value, dict):
        return 0
    own = size(value["text"]) if isinstance(value.get("text"), str) else 0
    return own + sum(text_size(v) for v in value.values() if isinstance(v, dict | list))


def header(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=clip(text, HEADER_MAX), emoji=True)).to_dict()


def section(text: str, *, fields: Sequence[str] = ()) -> Block:
    return SectionBlock(
        text=MarkdownTextObject(text=clip_markup(text, SECTION_MAX)),
        fields=[MarkdownTextObject(text=clip_markup(f, FIELD_MAX)) for f in fields[:10]] or None,
    ).to_dict()


def context(*texts: str) -> Block:
    return ContextBlock(
        elements=[MarkdownTextObject(text=clip_markup(t, CONTEXT_MAX)) for t in texts[:10]]
    ).to_dict()


def divider() -> Block:
    return DividerBlock().to_dict()


def confirm_dialog(*, title: str, text: str, confirm: str, deny: str) -> ConfirmObject:
    """A confirmation dialog of fixed wording; ``text`` is sent as plain_text (≤300), not mrkdwn."""
    return ConfirmObject(
        title=PlainTextObject(text=clip(title, 100)),
        text=PlainTextObject(text=clip(text, 300)),
        confirm=PlainTextObject(text=clip(confirm, 30)),
        deny=PlainTextObject(text=clip(deny, 30)),
    )


def button(
    text: str,
    action_id: Action | str,
    value: dict[str, Any] | None,
    *,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement | None:
    """A button, or None when there is no value or it cannot be encoded (invalid, over 2,000)."""
    if value is None:
        return None
    try:
        raw = encode_value(value)
    except ValueError:
        return None
    return ButtonElement(
        text=clip(text, 75), action_id=str(action_id), value=raw, style=style, confirm=confirm
    )


def action_row(buttons: Iterable[ButtonElement | None]) -> Block | None:
    """An actions block of the buttons that could be made, or None when there are none."""
    elements = [b for b in buttons if b is not None][:25]
    return ActionsBlock(elements=elements).to_dict() if elements else None


def join_lines(lines: Sequence[str], limit: int = SECTION_MAX) -> str:
    """As many whole lines as fit in ``limit``, then "…" — a section never ends mid-token."""
    out: list[str] = []
    used = 0
    for line in lines:
        line = clip_markup(line, limit - 2)
        cost = size(line) + (1 if out else 0)
        if used + cost > limit - 2:
            out.append("…")
            break
        out.append(line)
        used += cost
    return "\n".join(out)


class Builder:
    """Collects blocks while counting them and their text, so the message always fits."""

    def __init__(self, *, max_blocks: int = MAX_BLOCKS, budget: int = TEXT_BUDGET) -> None:
        self.max_blocks = max_blocks
        self.budget = budget
        self.blocks: list[Block] = []
        self.used = 0

    def fits(self, blocks: Sequence[Block], *, reserve: Sequence[Block] = ()) -> bool:
        """Would ``blocks`` fit while still leaving room for ``reserve``?"""
        count = len(self.blocks) + len(blocks) + len(reserve)
        chars = self.used + text_size(list(blocks)) + text_size(list(reserve))
        return count <= self.max_blocks and chars <= self.budget

    def add(self, *blocks: Block | None, reserve: Sequence[Block] = ()) -> bool:
        """Adds all of ``blocks`` (Nones skipped) or none of them; says which."""
        real = [b for b in blocks if b is not None]
        if not self.fits(real, reserve=reserve):
            return False
        self.blocks.extend(real)
        self.used += text_size(real)
        return True

    def add_lines(
        self,
        lines: Sequence[str],
        *,
        more: Callable[[int], str],
        reserve: Sequence[Block] = (),
    ) -> int:
        """Packs ``lines`` into as few sections as fit; the rest become one "…and N more" line.

        Returns how many lines were shown.
        """
        room = [*reserve, context(more(len(lines)))]
        chunk: list[str] = []  # lines not yet added; always fits together with ``room``
        shown = 0
        for raw in lines:
            line = clip_markup(raw, SECTION_MAX)
            joined = "\n".join([*chunk, line])
            if chunk and size(joined) > SECTION_MAX:
                self.add(section("\n".join(chunk)), reserve=room)
                chunk, joined = [], line
            if not self.fits([section(joined)], reserve=room):
                break
            chunk.append(line)
            shown += 1
        if chunk:
            self.add(section("\n".join(chunk)), reserve=room)
        if shown < len(lines):
            self.add(context(more(len(lines) - shown)), reserve=reserve)
        return shown

    def build(self, text: str) -> SlackMessage:
        return message(text, list(self.blocks))
