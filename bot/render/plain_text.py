"""A Block Kit message rendered readably in a terminal, for ``make demo``: people see what the
channel would show without a Slack workspace."""

from __future__ import annotations

import re
from typing import Any

from bot.render.kit import SlackMessage
from bot.render.mrkdwn import printable

_TOKEN = re.compile(r"<([^<>]*)>")
RULE = "─" * 40


def _token(match: re.Match[str]) -> str:
    body = match.group(1)
    target, _, shown = body.partition("|")
    if target.startswith("@"):
        return target
    if target.startswith("!subteam^"):
        return "@" + target.removeprefix("!subteam^")
    if target.startswith("!"):
        return shown or "@" + target[1:].split("^", 1)[0]
    return f"{shown} ({target})" if shown else target


def plain(text: str) -> str:
    """Mrkdwn to terminal text: links as ``label (url)``, dates as their fallback, mentions as
    ``@id``, entities decoded, control characters dropped."""
    text = _TOKEN.sub(_token, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "".join(printable(text, spaced="", kept="\n"))


def _text(obj: Any) -> str:
    return plain(obj["text"]) if isinstance(obj, dict) and isinstance(obj.get("text"), str) else ""


def _header(block: dict[str, Any]) -> list[str]:
    title = _text(block.get("text"))
    return [title, "═" * min(max(len(title), 3), 80)]


def _section(block: dict[str, Any]) -> list[str]:
    lines = _text(block.get("text")).split("\n") if block.get("text") else []
    for field in block.get("fields") or []:
        lines.append("  " + _text(field).replace("\n", ": ", 1).replace("\n", " "))
    return lines


def _context(block: dict[str, Any]) -> list[str]:
    return ["  | " + " · ".join(_text(e) for e in block.get("elements") or [] if _text(e))]


def _actions(block: dict[str, Any]) -> list[str]:
    return [
        "  ".join(f"[ {_text(e.get('text'))} ]" for e in block.get("elements") or [] if isinstance(e, dict))
    ]


_RENDERERS = {"header": _header, "section": _section, "context": _context, "actions": _actions}


def blocks_to_text(message: SlackMessage) -> str:
    """Header underlined, sections as text, context lines prefixed with a bar, buttons in brackets."""
    out: list[str] = []
    for block in message.blocks:
        kind = block.get("type")
        if kind == "divider":
            out.append(RULE)
        elif isinstance(kind, str) and kind in _RENDERERS:
            out.extend(_RENDERERS[kind](block))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
