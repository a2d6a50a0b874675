"""The numbers beside the ``/dms history <task>`` chart, and the chart's alt text.

Rows are one task's compact verdicts, oldest first (``Store.task_history``). The message shows the
trend over all of them and a line per sweep for the most recent :data:`HISTORY_ROWS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.durations import format_duration
from bot.core.records import VerdictRow
from bot.render import kit
from bot.render import messages_alerts as words
from bot.render.kit import Builder, SlackMessage, context, section
from bot.render.mrkdwn import clean, clip, label

HISTORY_ROWS = 24
ALT_MAX = 1000


def _trend(rows: Sequence[VerdictRow], what: str, pick: str, *, span: bool = False) -> str:
    first, last = int(getattr(rows[0], pick)), int(getattr(rows[-1], pick))
    over = rows[-1].checked_at - rows[0].checked_at if span and len(rows) > 1 else None
    return words.trend(what, first, last, over)


def _lag_text(row: VerdictRow) -> str | None:
    """``CDC lag source 4s, target 1h 12m``, or None when CloudWatch gave neither for the sweep."""
    sides = [
        f"{side} {format_duration(max(seconds, 0.0))}"
        for side, seconds in (("source", row.cdc_source_seconds), ("target", row.cdc_target_seconds))
        if seconds is not None
    ]
    return f"CDC lag {', '.join(sides)}" if sides else None


def _latest_lag(rows: Sequence[VerdictRow]) -> str | None:
    """The lag of the newest sweep that knew it."""
    return next((text for r in reversed(rows) if (text := _lag_text(r))), None)


def _trends(rows: Sequence[VerdictRow]) -> str:
    """``failed records 0 → 57 over 6h · suspended 0 → 0 · pending 1,200 → 30 · CDC lag …``."""
    parts = [
        _trend(rows, "failed records", "failed_records", span=True),
        _trend(rows, "suspended", "suspended_records"),
        _trend(rows, "pending", "pending_records"),
    ]
    latest = _latest_lag(rows)
    return " · ".join([*parts, latest] if latest else parts)


def _line(row: VerdictRow) -> str:
    text = words.history_row(
        row.checked_at, row.verdict, row.failed_records, row.suspended_records, row.pending_records
    )
    known = _lag_text(row)
    return f"{text} · {known}" if known else text


def history_message(task_id: str, rows: Sequence[VerdictRow], *, now: datetime) -> SlackMessage:
    """Title, one-line trend ("failed records 0 → 57 over 6h"), then the last sweeps, oldest first."""
    footer = [context(words.chart_legend(), words.as_of(now))]
    if not rows:
        return kit.message(words.no_history(task_id), [section(words.no_history(task_id)), *footer])
    builder = Builder()
    builder.add(section(f"{words.history_title(task_id, len(rows))}\n{_trends(rows)}"), reserve=footer)
    shown = rows[-HISTORY_ROWS:]
    hidden = len(rows) - len(shown)
    lines = [_line(r) for r in shown]
    if hidden:
        lines.insert(0, words.earlier_sweeps(hidden))
    builder.add_lines(lines, more=lambda n: words.more(n, "sweeps"), reserve=footer)
    builder.add(*footer)
    fallback = f"{label(task_id, 100)}: {_trends(rows)}"
    return builder.build(fallback)


def history_alt_text(task_id: str, rows: Sequence[VerdictRow]) -> str:
    """Alt text for the uploaded chart (plain text, single line, at most 1,000 characters)."""
    name = clip(clean(task_id).strip() or "(blank)", 100)
    if not rows:
        return clip(f"Empty chart: no history recorded for {name} yet.", ALT_MAX)
    failed = _trend(rows, "failed records", "failed_records", span=True)
    pending = _trend(rows, "pending records", "pending_records")
    text = words.alt_text(name, len(rows), failed, pending, clean(rows[-1].verdict)[:20])
    latest = _latest_lag(rows)
    return clip(f"{text} Latest {latest}." if latest else text, ALT_MAX)
