"""Changes to a message already sent, and their words: a report or task answer while its re-check
runs, the same answer shared visibly in the channel, and a note above an alert's buttons.

They take the original blocks (a :class:`SlackMessage`, or the dicts of a ``block_actions``
payload) and stay within Slack's 50 blocks by dropping trailing content, never the buttons.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.render import kit
from bot.render.buttons import Action
from bot.render.kit import MAX_BLOCKS, Block, SlackMessage, context
from bot.render.mrkdwn import slack_date, user


def rechecking(user_id: str, at: datetime) -> str:
    return f":hourglass_flowing_sand: Re-checking… requested by {user(user_id)} {slack_date(at, '{time}')}"


def rechecking_fallback() -> str:
    return "Re-checking DMS validation…"


def shared_by(user_id: str) -> str:
    return f"Shared by {user(user_id)}"


def _blocks_of(original: SlackMessage | Sequence[dict[str, Any]]) -> list[Block]:
    blocks = original.blocks if isinstance(original, SlackMessage) else original
    return [dict(b) for b in blocks if isinstance(b, dict)]


def _with_context(blocks: list[Block], line: Block, *, before_actions: bool) -> list[Block]:
    """``blocks`` plus ``line``, dropping trailing content blocks if needed to stay within 50."""
    actions = [b for b in blocks if b.get("type") == "actions"] if before_actions else []
    content = [b for b in blocks if b not in actions]
    content = content[: MAX_BLOCKS - 1 - len(actions)]
    return [*content, line, *actions]


def rechecking_message(
    original: SlackMessage | Sequence[dict[str, Any]], *, user_id: str, at: datetime
) -> SlackMessage:
    """The report while a re-check runs: same content, buttons replaced by who asked, so nobody
    clicks twice."""
    content = [b for b in _blocks_of(original) if b.get("type") != "actions"]
    blocks = _with_context(content, context(rechecking(user_id, at)), before_actions=False)
    text = original.text if isinstance(original, SlackMessage) else rechecking_fallback()
    return kit.message(text, blocks)


def with_note(message: SlackMessage, note: str) -> SlackMessage:
    """The message with a context line (already-safe mrkdwn, e.g. "Re-checked by <@U…>") above its buttons."""
    return kit.message(message.text, _with_context(list(message.blocks), context(note), before_actions=True))


def _without_share(block: Block) -> Block | None:
    if block.get("type") != "actions":
        return block
    elements = [
        e
        for e in block.get("elements", [])
        if not (isinstance(e, dict) and e.get("action_id") == Action.SHARE)
    ]
    return {**block, "elements": elements} if elements else None


def shared_message(message: SlackMessage, *, user_id: str) -> SlackMessage:
    """The same answer posted visibly in the channel: no Share button, and who shared it."""
    blocks = [b for b in (_without_share(b) for b in message.blocks) if b is not None]
    return kit.message(message.text, _with_context(blocks, context(shared_by(user_id)), before_actions=True))
