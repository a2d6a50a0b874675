"""Parse ``/dms`` text into a command. Pure and total: any input gives a Command, never an exception."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.core.evaluate import KNOWN_VALIDATION_STATES

MAX_TEXT = 500
SUBCOMMANDS = ("help", "status", "tables", "check", "history")
PROBLEMS = "problems"


@dataclass(frozen=True, slots=True)
class Command:
    """``name`` is one of SUBCOMMANDS; ``problem`` explains why help is shown instead."""

    name: str
    task: str | None = None
    state: str | None = None
    problem: str | None = None


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
    state_text = " ".join(rest[1:])
    state = match_state(state_text) if state_text else None
    if state_text and state is None:
        return Command("help", problem=f"unknown validation state “{state_text[:60]}”")
    return Command("tables", task=rest[0], state=state)
