"""Short answers (help, unknown task, denied, errors, progress) and transformations of a sent
message (re-check in progress, shared in channel)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.render import kit, messages
from bot.render.actions import SHARE
from bot.render.kit import MAX_BLOCKS, Block, SlackMessage, context, join_lines, section


def _single(text: str, fallback: str | None = None) -> SlackMessage:
    return kit.message(fallback or text, [section(text)])


def help_message(*, problem: str | None = None) -> SlackMessage:
    """Every subcommand with one line each: what ``/dms help`` and unknown input show.

    ``problem`` (from the parser: "unknown command “x”") is shown first, escaped.
    """
    lines = messages.help_lines()
    if problem:
        lines = [messages.help_problem(problem), *lines]
    return _single(join_lines(lines), messages.help_fallback())


def unknown_task_message(name: str, suggestions: Sequence[str]) -> SlackMessage:
    return _single(messages.unknown_task(name, suggestions))


def ambiguous_task_message(name: str, candidates: Sequence[str]) -> SlackMessage:
    return _single(messages.ambiguous_task(name, candidates))


def denied_message() -> SlackMessage:
    return _single(messages.denied())


def error_message(text: str, *, data_from: datetime | None = None) -> SlackMessage:
    """An honest, short failure (DMS unreachable, throttled …), optionally naming older data shown."""
    return _single(messages.error(text, data_from))


def not_watched_message() -> SlackMessage:
    """A button naming a task outside the config (forged or out of date): refused, nothing done."""
    return _single(messages.not_watched())


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
    blocks = _with_context(content, context(messages.rechecking(user_id, at)), before_actions=False)
    text = original.text if isinstance(original, SlackMessage) else messages.rechecking_fallback()
    return kit.message(text, blocks)


def with_note(message: SlackMessage, note: str) -> SlackMessage:
    """The message with a context line (already-safe mrkdwn, e.g. "Re-checked by <@U…>") above its buttons."""
    return kit.message(message.text, _with_context(list(message.blocks), context(note), before_actions=True))


def _without_share(block: Block) -> Block | None:
    if block.get("type") != "actions":
        return block
    elements = [
        e for e in block.get("elements", []) if not (isinstance(e, dict) and e.get("action_id") == SHARE)
    ]
    return {**block, "elements": elements} if elements else None


def shared_message(message: SlackMessage, *, user_id: str) -> SlackMessage:
    """The same answer posted visibly in the channel: no Share button, and who shared it."""
    blocks = [b for b in (_without_share(b) for b in message.blocks) if b is not None]
    line = context(messages.shared_by(user_id))
    return kit.message(message.text, _with_context(blocks, line, before_actions=True))
