"""The App Home tab and its words: the whole fleet, worst first, in at most 100 blocks.

It shows the digest's sections (:mod:`bot.render.digest`) for every task rather than the worst few:
the worst tasks one line each, then every other task's name under its verdict, several to a
line. Its text is kept under :data:`HOME_BUDGET` so the view stays far below ``views.publish``'s
250 kB (``view_too_large``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.views import View

from bot.core.alerts import TaskAlert
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.render import digest, words
from bot.render.kit import Block, Builder, context, divider, header, section
from bot.render.mrkdwn import bold, label, size
from bot.render.words import row_emoji

HOME_MAX_BLOCKS = 100
HOME_BUDGET = 30_000
HOME_INCIDENTS = 25
HOME_SNOOZES = 25
HOME_DETAILED = 40
PACK_MAX = 2800

GROUP_NAMES = {"failure": "Failing", "error": "Cannot be checked", "warning": "Warnings", "ok": "Healthy"}
GROUP_WHAT = {
    "failure": "failing tasks",
    "error": "tasks that cannot be checked",
    "warning": "tasks with warnings",
    "ok": "healthy tasks",
}


def group_title(verdict: str, n: int) -> str:
    """``:large_green_circle: *Healthy (450)*``, or ``:red_circle: *Failing (12 more)*`` for the
    problem tasks after the detailed list. Unknown verdict strings are never echoed."""
    count = str(n) if verdict == "ok" else f"{n} more"
    return f"{row_emoji(verdict)} *{GROUP_NAMES.get(verdict, 'Other')} ({count})*"


def group_what(verdict: str) -> str:
    return GROUP_WHAT.get(verdict, "tasks")


def _pack(pieces: Sequence[str], limit: int) -> list[tuple[str, int]]:
    """``pieces`` joined with " · " into chunks of at most ``limit`` characters, with counts."""
    chunks: list[tuple[str, int]] = []
    current: list[str] = []
    for piece in pieces:
        if current and size(" · ".join([*current, piece])) > limit:
            chunks.append((" · ".join(current), len(current)))
            current = []
        current.append(piece)
    if current:
        chunks.append((" · ".join(current), len(current)))
    return chunks


def _add_packed(
    builder: Builder,
    heading: str,
    pieces: Sequence[str],
    more: Callable[[int], str],
    reserve: Sequence[Block],
) -> None:
    """Short items several to a line (the healthy tasks), as many sections as fit."""
    room = [*reserve, context(more(len(pieces)))]
    shown = 0
    for i, (text, count) in enumerate(_pack(pieces, PACK_MAX)):
        if not builder.add(section(f"{heading}\n{text}" if i == 0 else text), reserve=room):
            break
        shown += count
    if shown < len(pieces):
        builder.add(context(more(len(pieces) - shown)), reserve=reserve)


def _groups(rows: Sequence[VerdictRow]) -> list[tuple[str, str, list[str]]]:
    """Rows (sorted by rank) grouped by verdict: heading, noun and the bold names of each group."""
    out: list[tuple[str, str, list[str]]] = []
    for _, group in itertools.groupby(rows, key=lambda r: digest.RANK.get(r.verdict, 3)):
        members = list(group)
        verdict = members[0].verdict
        pieces = [bold(label(r.task_id, digest.LINE_ID_MAX)) for r in members]
        out.append((group_title(verdict, len(members)), group_what(verdict), pieces))
    return out


def _add_tasks(builder: Builder, ordered: Sequence[VerdictRow]) -> None:
    """The worst tasks one line each with their first reason, then every other task's name
    under its verdict, several to a line, so a fleet of hundreds still shows every verdict."""
    unhealthy = [r for r in ordered if r.verdict != "ok"]
    detail = [digest.row_line(r) for r in unhealthy[:HOME_DETAILED]]
    groups = _groups([*unhealthy[HOME_DETAILED:], *(r for r in ordered if r.verdict == "ok")])
    summaries = [context(words.more(len(pieces), what)) for _, what, pieces in groups]
    heading = digest.title("Needing attention, worst first", len(unhealthy))
    digest.add_list(
        builder, heading, detail, total=len(detail), what="tasks needing attention", reserve=summaries
    )
    for i, (title, what, pieces) in enumerate(groups):
        more = functools.partial(words.more, what=what)
        _add_packed(builder, title, pieces, more, reserve=summaries[i + 1 :])


def home_view(
    rows: Sequence[VerdictRow],
    alerts: Sequence[TaskAlert],
    snoozes: Mapping[str, Snooze],
    *,
    now: datetime,
    last_sweep: SweepRow | None,
) -> dict[str, Any]:
    """The App Home tab (``views.publish`` view): the whole fleet, worst first, in ≤100 blocks."""
    builder = Builder(max_blocks=HOME_MAX_BLOCKS, budget=HOME_BUDGET)
    builder.add(header(":satellite: DMS fleet"), section(digest.fleet(rows)), digest.footer(now, last_sweep))
    incidents = digest.open_incidents(alerts)
    lines = [digest.incident(a, now, snoozes) for a in incidents[:HOME_INCIDENTS]]
    heading = digest.title("Open incidents", len(incidents))
    digest.add_list(builder, heading, lines, total=len(incidents), what="open incidents", reserve=())
    snoozed = digest.snooze_lines(snoozes, rows, alerts)
    heading = digest.title("Snoozed", len(snoozed))
    digest.add_list(builder, heading, snoozed[:HOME_SNOOZES], total=len(snoozed), what="snoozes", reserve=())
    builder.add(divider())
    _add_tasks(builder, sorted(rows, key=digest.rank))
    return View(type="home", blocks=builder.blocks).to_dict()
