"""``dms-bot ready`` in a terminal: one line per check with its mark and evidence, then what blocks,
what the gate could not see, and what only people can check.

Details quote DMS, the target database and the store, which may hold anything: every line is cleaned
of control characters (``bot.render.terminal.clean``).
"""

from __future__ import annotations

from bot.core.readiness import CheckStatus, Readiness
from bot.render.terminal import clean

MARKS = {
    CheckStatus.PASS: "✓",
    CheckStatus.FAIL: "✗",
    CheckStatus.UNKNOWN: "?",
    CheckStatus.SKIP: "\u2013",
}  # skip: an en dash
NAME_WIDTH = 19
DETAIL_WIDTH = 400


def verdict_line(r: Readiness) -> str:
    """``orders-cdc: READY to cut over`` / ``NOT READY (2 blockers)``."""
    if r.ready:
        return f"{clean(r.task_id)}: READY to cut over"
    n = len(r.blockers)
    return f"{clean(r.task_id)}: NOT READY ({n} {'blocker' if n == 1 else 'blockers'})"


def render_ready(r: Readiness) -> str:
    """The whole terminal output, ending with a newline."""
    checked = r.checked_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"{verdict_line(r)} · checked {checked}", ""]
    lines += [
        f"{MARKS[c.status]} {c.name.value:<{NAME_WIDTH}} {clean(c.detail, DETAIL_WIDTH)}" for c in r.checks
    ]
    lines += _section("Blockers", r.blockers)
    lines += _section("Caveats (what the gate could not see)", r.caveats)
    lines += _section("Checklist (only people can check these)", r.checklist, bullet="[ ]")
    return "\n".join(lines) + "\n"


def _section(title: str, items: tuple[str, ...], *, bullet: str = "-") -> list[str]:
    if not items:
        return []
    return ["", f"{title}:"] + [f"  {bullet} {clean(item, DETAIL_WIDTH)}" for item in items]
