"""``/dms history <task>``: the numbers beside the chart, the chart's alt text, and their words.

Rows are one task's compact verdicts, oldest first (``bot.core.records.VerdictRow``). The message
shows the trend over all of them and a line per sweep for the most recent :data:`HISTORY_ROWS`.
The chart itself is :func:`bot.render.chart.history_chart_png`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.records import VerdictRow
from bot.render import kit, words
from bot.render.kit import Builder, SlackMessage, context, section
from bot.render.mrkdwn import bold, clean, clip, label, slack_date
from bot.render.words import NAME_MAX, plural, row_emoji, took

HISTORY_ROWS = 24
ALT_MAX = 1000


def history_title(task_id: str, sweeps: int) -> str:
    name = bold(label(task_id, NAME_MAX))
    return f":chart_with_upwards_trend: History of {name} · last {plural(sweeps, 'sweep')}"


def no_history(task_id: str) -> str:
    return f":grey_question: No history recorded for {bold(label(task_id, NAME_MAX))} yet."


def trend(what: str, first: int, last: int, span: timedelta | None = None) -> str:
    over = f" over {took(span)}" if span else ""
    return f"{what} {first:,} → {last:,}{over}"


def earlier_sweeps(n: int) -> str:
    return f"_{plural(n, 'earlier sweep')} in the chart only_"


def history_row(at: datetime, verdict: str, failed: int, suspended: int, pending: int) -> str:
    when = slack_date(at, "{date_short} {time}")
    return f"{when} {row_emoji(verdict)} failed {failed:,} · suspended {suspended:,} · pending {pending:,}"


def chart_legend() -> str:
    return (
        "Chart: failed, suspended and pending records over time (log scale), CDC lag on the right "
        "axis when known, and each sweep's verdict as the coloured strip along the bottom."
    )


def alt_text(task_id: str, sweeps: int, failed: str, pending: str, verdict: str) -> str:
    """Plain text for the image's alt text (not mrkdwn): the caller passes cleaned values."""
    return (
        f"Chart of {task_id} over the last {plural(sweeps, 'sweep')}: {failed}; {pending}; "
        f"latest verdict {verdict}."
    )


def _trend(rows: Sequence[VerdictRow], what: str, pick: str, *, span: bool = False) -> str:
    first, last = int(getattr(rows[0], pick)), int(getattr(rows[-1], pick))
    over = rows[-1].checked_at - rows[0].checked_at if span and len(rows) > 1 else None
    return trend(what, first, last, over)


def _row_lag(row: VerdictRow) -> str | None:
    return words.lag(row.cdc_source_seconds, row.cdc_target_seconds)


def _latest_lag(rows: Sequence[VerdictRow]) -> str | None:
    """The lag of the newest sweep that knew it."""
    return next((text for r in reversed(rows) if (text := _row_lag(r))), None)


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
    text = history_row(
        row.checked_at, row.verdict, row.failed_records, row.suspended_records, row.pending_records
    )
    known = _row_lag(row)
    return f"{text} · {known}" if known else text


def history_message(task_id: str, rows: Sequence[VerdictRow], *, now: datetime) -> SlackMessage:
    """Title, one-line trend ("failed records 0 → 57 over 6h"), then the last sweeps, oldest first."""
    footer = [context(chart_legend(), words.as_of(now))]
    if not rows:
        return kit.message(no_history(task_id), [section(no_history(task_id)), *footer])
    builder = Builder()
    builder.add(section(f"{history_title(task_id, len(rows))}\n{_trends(rows)}"), reserve=footer)
    shown = rows[-HISTORY_ROWS:]
    hidden = len(rows) - len(shown)
    lines = [_line(r) for r in shown]
    if hidden:
        lines.insert(0, earlier_sweeps(hidden))
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
    text = alt_text(name, len(rows), failed, pending, clean(rows[-1].verdict)[:20])
    latest = _latest_lag(rows)
    return clip(f"{text} Latest {latest}." if latest else text, ALT_MAX)
