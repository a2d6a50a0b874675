"""Parse ``/dms`` text into a command. Pure and total: any input gives a Command, never an exception."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.core.evaluate import KNOWN_VALIDATION_STATES

MAX_TEXT = 500
SUBCOMMANDS = ("help", "status", "tables", "check", "history", "failures", "ready")
WATCH = "watch"
TABLE_MAX = 200
PROBLEMS = "problems"


@dataclass(frozen=True, slots=True)
class Command:
    """``name`` is one of SUBCOMMANDS; ``problem`` explains why help is shown instead."""

    name: str
    task: str | None = None
    state: str | None = None
    problem: str | None = None
    table: str | None = None  # ``schema.table`` (``failures``)
    watch: bool = False  # ``ready <task> watch``: tell me when it is ready


def split_table(text: str) -> tuple[str, str] | None:
    """``sales.orders`` -> ("sales", "orders"): split at the first dot; None unless both parts exist."""
    schema, dot, table = text.partition(".")
    if not dot or not schema or not table or len(text) > TABLE_MAX:
        return None
    return schema, table


def _clean(text: str) -> str:
    text = "".join(ch for ch in text[:MAX_TEXT] if unicodedata.category(ch)[0] != "C" or ch in " \t")
    return " ".join(text.split())


def match_state(text: str) -> str | None:
    """A validation state from what someone typed: exact, case-insensitive, or a unique prefix."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    if wanted in (PROBLEMS, "problem", "bad", "failing"):
        return PROBLEMS
    for state in KNOWN_VALIDATION_STATES:
        if state.casefold() == wanted:
            return state
    prefixed = [s for s in KNOWN_VALIDATION_STATES if s.casefold().startswith(wanted)]
    return prefixed[0] if len(prefixed) == 1 else None


def parse_command(text: object) -> Command:
    """``status orders-cdc`` -> Command("status", task="orders-cdc"). Garbage -> help with a problem."""
    words = _clean(text if isinstance(text, str) else "").split(" ")
    words = [w for w in words if w]
    if not words:
        return Command("help")
    head, rest = words[0].casefold(), words[1:]
    if head not in SUBCOMMANDS:
        return Command("help", problem=f"unknown command “{words[0][:40]}”")
    if head == "help":
        return Command("help")
    if head == "status":
        return Command("status", task=rest[0] if rest else None)
    if head == "check":
        return Command("check", task=rest[0] if rest else None)
    if not rest:
        return Command("help", problem=f"`{head}` needs a task name")
    if head == "history":
        return Command("history", task=rest[0])
    if head == "failures":
        return _failures(rest)
    if head == "ready":
        return _ready(rest)
    state_text = " ".join(rest[1:])
    state = match_state(state_text) if state_text else None
    if state_text and state is None:
        return Command("help", problem=f"unknown validation state “{state_text[:60]}”")
    return Command("tables", task=rest[0], state=state)


def _failures(rest: list[str]) -> Command:
    """``failures <task> [schema.table]``."""
    if len(rest) > 2:
        return Command("help", problem="`failures` takes a task and at most one schema.table")
    if len(rest) == 2 and split_table(rest[1]) is None:
        return Command("help", problem=f"“{rest[1][:60]}” is not a schema.table name")
    return Command("failures", task=rest[0], table=rest[1] if len(rest) == 2 else None)


def _ready(rest: list[str]) -> Command:
    """``ready <task> [watch]``."""
    if len(rest) > 2 or (len(rest) == 2 and rest[1].casefold() != WATCH):
        return Command("help", problem="`ready` takes a task and optionally `watch`")
    return Command("ready", task=rest[0], watch=len(rest) == 2)
