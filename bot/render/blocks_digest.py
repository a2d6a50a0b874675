"""The fleet at a glance: the daily digest message and the App Home tab.

Both read the store's compact rows (latest verdict per task, open alerts, active snoozes) and stay
inside Slack's limits however big the fleet is: lists are capped and every cut is summarised
("…and 37 more"). The Home tab may use up to 100 blocks; its text is kept under
:data:`HOME_BUDGET` so the view stays far below ``views.publish``'s 250 kB (``view_too_large``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.views import View

from bot.core.alerts import TaskAlert, open_for
from bot.core.models import Task
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.render import messages_alerts as words
from bot.render import parts
from bot.render.kit import Block, Builder, SlackMessage, context, divider, header, section
from bot.render.mrkdwn import bold, label, size

HOME_MAX_BLOCKS = 100
HOME_BUDGET = 30_000
DIGEST_INCIDENTS = 20
DIGEST_SNOOZES = 10
DIGEST_WARNINGS = 10
HOME_INCIDENTS = 25
HOME_SNOOZES = 25
HOME_DETAILED = 40
PACK_MAX = 2800
LINE_ID_MAX = 60
_RANK = {"failure": 0, "error": 1, "warning": 2, "ok": 4}


def _rank(row: VerdictRow) -> tuple[int, int, str]:
    return (_RANK.get(row.verdict, 3), -(row.failed_records + row.suspended_records), row.task_id)


def _fleet(rows: Sequence[VerdictRow]) -> str:
    count = {v: sum(1 for r in rows if r.verdict == v) for v in ("ok", "warning", "failure", "error")}
    tasks = len(rows) - count["error"]
    return words.fleet_counts(tasks, count["ok"], count["warning"], count["failure"], count["error"])


def _names(rows: Sequence[VerdictRow], alerts: Sequence[TaskAlert]) -> dict[str, str]:
    known = {a.task_arn: a.task_id for a in alerts}
    known.update({r.task_arn: r.task_id for r in rows if r.task_arn})
    return known


def _open(alerts: Sequence[TaskAlert]) -> list[TaskAlert]:
    """Open incidents, the longest-running first."""
    live = [a for a in alerts if a.open]
    return sorted(live, key=lambda a: (a.opened_at is None, a.opened_at or datetime.min, a.task_id))


def _incident(alert: TaskAlert, now: datetime, snoozes: Mapping[str, Snooze]) -> str:
    link = parts.task_link(Task(identifier=alert.task_id, arn=alert.task_arn, status=""))
    text = words.incident_line(link, alert.kind, open_for(alert, now), words.owner(alert.acked_by))
    snooze = snoozes.get(alert.task_arn)
    return text + (f" · {words.snoozed_until(snooze.until)}" if snooze else "")


def _snoozes(snoozes: Mapping[str, Snooze], names: Mapping[str, str]) -> list[str]:
    ordered = sorted(snoozes.values(), key=lambda s: (s.until, s.task_arn))
    return [words.snooze_line(names.get(s.task_arn, s.task_arn), s.until, s.by) for s in ordered]


def _row_line(row: VerdictRow) -> str:
    """``:red_circle: *orders-cdc* · prod-eu · running · failed 57 — first reason``."""
    line = f"{words.row_emoji(row.verdict)} {bold(label(row.task_id, LINE_ID_MAX))}"
    line += f" · {label(row.target, 30)} · {label(row.status, 30)}"
    if row.failed_records:
        line += f" · failed {row.failed_records:,}"
    return line + (f" — {label(row.reasons[0], 120)}" if row.reasons else "")


def add_list(
    builder: Builder, heading: str, lines: Sequence[str], *, total: int, what: str, reserve: Sequence[Block]
) -> None:
    """``heading`` then ``lines`` (already capped from ``total``), packed into sections; whatever
    the cap or the budget leaves out is summarised as one "…and N more ``what``" line."""
    if not total:
        builder.add(section(f"{heading}\n{words.nothing(what)}"), reserve=reserve)
        return
    hidden = total - len(lines)
    passed = [heading, *lines, *([words.more(hidden, what)] if hidden > 0 else [])]

    def more(n: int) -> str:
        return words.more(min(total, total - len(passed) + n + 1), what)

    builder.add_lines(passed, more=more, reserve=reserve)


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
    for _, group in itertools.groupby(rows, key=lambda r: _RANK.get(r.verdict, 3)):
        members = list(group)
        verdict = members[0].verdict
        pieces = [bold(label(r.task_id, LINE_ID_MAX)) for r in members]
        out.append((words.group_title(verdict, len(members)), words.group_what(verdict), pieces))
    return out


def _add_tasks(builder: Builder, ordered: Sequence[VerdictRow]) -> None:
    """The worst tasks one line each with their first reason, then every other task's name
    under its verdict, several to a line, so a fleet of hundreds still shows every verdict."""
    unhealthy = [r for r in ordered if r.verdict != "ok"]
    detail = [_row_line(r) for r in unhealthy[:HOME_DETAILED]]
    groups = _groups([*unhealthy[HOME_DETAILED:], *(r for r in ordered if r.verdict == "ok")])
    summaries = [context(words.more(len(pieces), what)) for _, what, pieces in groups]
    heading = words.title("Needing attention, worst first", len(unhealthy))
    add_list(builder, heading, detail, total=len(detail), what="tasks needing attention", reserve=summaries)
    for i, (title, what, pieces) in enumerate(groups):
        more = functools.partial(words.more, what=what)
        _add_packed(builder, title, pieces, more, reserve=summaries[i + 1 :])


def _footer(now: datetime, last_sweep: SweepRow | None) -> Block:
    if last_sweep is None:
        return context(words.last_sweep(None, None), words.as_of(now))
    return context(words.last_sweep(last_sweep.checked_at, last_sweep.duration_seconds), words.as_of(now))


def digest_message(
    rows: Sequence[VerdictRow],
    alerts: Sequence[TaskAlert],
    snoozes: Mapping[str, Snooze],
    *,
    now: datetime,
    last_sweep: SweepRow | None,
) -> SlackMessage:
    """The daily digest: fleet counts, open incidents and their owners, snoozes, warnings."""
    builder = Builder()
    footer = [_footer(now, last_sweep)]
    builder.add(header(words.digest_header()), section(_fleet(rows)))
    incidents = _open(alerts)
    lines = [_incident(a, now, snoozes) for a in incidents[:DIGEST_INCIDENTS]]
    heading = words.title("Open incidents", len(incidents))
    add_list(builder, heading, lines, total=len(incidents), what="open incidents", reserve=footer)
    snoozed = _snoozes(snoozes, _names(rows, alerts))
    heading = words.title("Snoozed", len(snoozed))
    add_list(builder, heading, snoozed[:DIGEST_SNOOZES], total=len(snoozed), what="snoozes", reserve=footer)
    warned = sorted((r for r in rows if r.verdict == "warning"), key=_rank)
    lines = [_row_line(r) for r in warned[:DIGEST_WARNINGS]]
    heading = words.title("Warnings", len(warned))
    add_list(builder, heading, lines, total=len(warned), what="tasks with warnings", reserve=footer)
    builder.add(*footer)
    return builder.build(words.digest_fallback(len(rows), len(incidents), len(snoozed), len(warned)))


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
    builder.add(header(words.home_header()), section(_fleet(rows)), _footer(now, last_sweep))
    incidents = _open(alerts)
    lines = [_incident(a, now, snoozes) for a in incidents[:HOME_INCIDENTS]]
    heading = words.title("Open incidents", len(incidents))
    add_list(builder, heading, lines, total=len(incidents), what="open incidents", reserve=())
    snoozed = _snoozes(snoozes, _names(rows, alerts))
    heading = words.title("Snoozed", len(snoozed))
    add_list(builder, heading, snoozed[:HOME_SNOOZES], total=len(snoozed), what="snoozes", reserve=())
    builder.add(divider())
    _add_tasks(builder, sorted(rows, key=_rank))
    return View(type="home", blocks=builder.blocks).to_dict()
