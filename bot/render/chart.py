"""``/dms history <task>`` as a chart people can read without the text beside it.

Drawn with matplotlib's object API on the Agg canvas (never pyplot, whose global state is not
thread-safe), imported only when the first chart is drawn. One figure holds: failed, suspended and
pending records on a log scale (0 included), CDC source and target lag on a second axis when any
sweep knows it, and a strip along the bottom in each sweep's verdict colour, on a time axis in the
channel's timezone, under a title with the task and the period. The numbers go beside it in the
message (:func:`history_message`), which also gives the alt text (:func:`history_alt_text`).
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.records import VerdictRow
from bot.render import chart_scales as scales
from bot.render.chart_setup import load_matplotlib
from bot.render.mrkdwn import clean, clip

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


WIDTH, HEIGHT, DPI = 1200, 600, 150  # Slack previews it about 480 px wide: text stays ~8 px or more
FAILED, SUSPENDED, PENDING = "#d62728", "#9467bd", "#1f77b4"
LAG_SOURCE, LAG_TARGET = "#17becf", "#8c564b"
VERDICT = {"ok": "#2ca02c", "warning": "#f5a623", "failure": "#d62728", "error": "#8c8c8c"}
UNKNOWN = "#d9d9d9"
GRID, MUTED = "#e8e8e8", "#555555"
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE = 14, 11, 10.5, 10.5
NAME_MAX = 70
MARKERS_UP_TO = 24  # sweeps; beyond that the dots crowd the lines

_DRAW_LOCK = threading.Lock()  # charts are rare; one at a time keeps matplotlib's caches simple


def history_chart_png(rows: Sequence[VerdictRow], *, task_id: str, timezone: str = "UTC") -> bytes:
    """A 1200x600 PNG of ``rows`` (one task's sweeps, any order), times shown in ``timezone``.

    ``timezone`` is an IANA name (ValueError otherwise). ``task_id`` is shown literally: it is
    never parsed as mathtext. An empty history gives a titled chart that says so.
    """
    zone = _zone(timezone)
    ordered = sorted(rows, key=lambda r: r.checked_at)
    with _DRAW_LOCK:
        load_matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        fig.suptitle(
            _safe_text(task_id, NAME_MAX), x=0.01, ha="left", fontsize=TITLE_SIZE, weight="bold",
            parse_math=False,
        )  # fmt: skip
        if ordered:
            _draw_history(fig, ordered, zone, timezone)
        else:
            _draw_empty(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')") from None


@cache
def _glyphs() -> frozenset[int]:
    """Code points the chart's font can draw; others would only draw boxes and log warnings."""
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(font_manager.get_font(path).get_charmap())


def _safe_text(text: str, limit: int) -> str:
    """Input shown in the image: one printable line, drawable glyphs, at most ``limit`` chars."""
    glyphs = _glyphs()
    shown = "".join(c if ord(c) in glyphs else "?" for c in clean(text)).strip()
    return clip(shown or "(blank)", limit)


def _draw_empty(fig: Figure) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, "No sweeps recorded yet", ha="center", va="center", fontsize=LABEL_SIZE, color=MUTED)


def _draw_history(fig: Figure, rows: Sequence[VerdictRow], zone: ZoneInfo, zone_name: str) -> None:
    ax, band = fig.subplots(2, 1, sharex=True, height_ratios=[14, 1])
    times = [r.checked_at for r in rows]
    days = _days(times)
    ax.set_title(
        f"{len(rows)} sweep{'s' if len(rows) != 1 else ''}, "
        f"{scales.period(times[0], times[-1], zone, zone_name)}",
        loc="left", fontsize=LABEL_SIZE, color=MUTED, parse_math=False,
    )  # fmt: skip
    series = _plot_records(ax, days, rows) + _plot_lag(ax, days, rows)
    verdicts = _plot_verdicts(band, rows)
    _time_axis(band, zone)
    _legend(fig, series, verdicts)


def _legend(fig: Figure, series: list[Artist], verdicts: list[Artist]) -> None:
    """Below the chart, never over data: the lines on the first row, the verdict colours under them.

    matplotlib fills a legend column by column, so the rows are interleaved (blanks pad them).
    """
    from matplotlib.patches import Rectangle

    columns = max(len(series), len(verdicts))
    blank = Rectangle((0, 0), 0, 0, visible=False)
    first = series + [blank] * (columns - len(series))
    second = verdicts + [blank] * (columns - len(verdicts))
    handles = [h for pair in zip(first, second, strict=True) for h in pair]
    labels = [str(h.get_label()) if h is not blank else "" for h in handles]
    fig.legend(
        handles, labels, loc="outside lower center", ncol=columns, fontsize=LEGEND_SIZE,
        frameon=False, handlelength=1.8, columnspacing=1.2,
    )  # fmt: skip


def _marker(count: int) -> str:
    return "o" if count <= MARKERS_UP_TO else ""


def _days(moments: Sequence[datetime]) -> list[float]:
    """matplotlib's time unit (days since its epoch); the date locator and formatter read it back."""
    from matplotlib.dates import date2num

    return [float(d) for d in date2num(moments)]  # type: ignore[no-untyped-call]


def _plot_records(ax: Axes, days: list[float], rows: Sequence[VerdictRow]) -> list[Artist]:
    """Pending, suspended and failed records (failed drawn last, on top) on a symlog scale."""
    marker = _marker(len(rows))
    series = [
        ("pending", [r.pending_records for r in rows], PENDING, "-"),
        ("suspended", [r.suspended_records for r in rows], SUSPENDED, "--"),
        ("failed", [r.failed_records for r in rows], FAILED, "-"),
    ]
    handles: list[Artist] = []
    for label, values, colour, dash in series:
        (line,) = ax.plot(
            days, values, dash, color=colour, label=label, linewidth=1.8, marker=marker, markersize=3.5
        )
        handles.append(line)
    peak = max(max(values) for _, values, _, _ in series)
    ticks = scales.record_ticks(peak)
    ax.set_yscale("symlog", linthresh=1, linscale=0.4)
    ax.set_ylim(0, ticks[-1])
    ax.set_yticks(ticks, [scales.record_label(t) for t in ticks])
    ax.minorticks_off()
    ax.set_ylabel("records (log scale)", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE, labelbottom=False)
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    return [handles[2], handles[1], handles[0]]  # legend order: failed, suspended, pending


def _plot_lag(ax: Axes, days: list[float], rows: Sequence[VerdictRow]) -> list[Artist]:
    """CDC source and target lag on a right-hand axis in whole minutes/hours; nothing if unknown."""
    source = [_nan(r.cdc_source_seconds) for r in rows]
    target = [_nan(r.cdc_target_seconds) for r in rows]
    known = [v for v in source + target if not math.isnan(v)]
    if not known:
        return []
    lag = ax.twinx()
    marker = _marker(len(rows))
    handles: list[Artist] = []
    for label, values, colour in (("source lag", source, LAG_SOURCE), ("target lag", target, LAG_TARGET)):
        (line,) = lag.plot(
            days, values, ":", color=colour, label=label, linewidth=2.0, marker=marker, markersize=3.5
        )
        handles.append(line)
    ticks = scales.lag_ticks(max(known))
    lag.set_ylim(0, ticks[-1])
    lag.set_yticks(ticks, [scales.lag_label(t) for t in ticks])
    lag.set_ylabel("CDC lag", fontsize=LABEL_SIZE)
    lag.tick_params(labelsize=TICK_SIZE)
    return handles


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _plot_verdicts(band: Axes, rows: Sequence[VerdictRow]) -> list[Artist]:
    """One coloured span per run of equal verdicts; returns a legend patch per verdict shown."""
    from matplotlib.patches import Patch

    times = [r.checked_at for r in rows]
    runs = scales.verdict_runs(times, [r.verdict for r in rows], scales.slot(times))
    for verdict, start, end in runs:
        left, right = _days([start, end])
        band.axvspan(left, right, color=VERDICT.get(verdict, UNKNOWN), linewidth=0)
    first, last = _days([runs[0][1], runs[-1][2]])
    band.set_xlim(first, last)
    band.set_yticks([])
    band.set_ylabel("verdict", fontsize=LABEL_SIZE, rotation=0, ha="right", va="center")
    for side in ("top", "left", "right"):
        band.spines[side].set_visible(False)
    present = {r.verdict if r.verdict in VERDICT else "other" for r in rows}
    order = [*VERDICT, "other"]
    return [Patch(color=VERDICT.get(v, UNKNOWN), label=v) for v in order if v in present]


def _time_axis(band: Axes, zone: ZoneInfo) -> None:
    """Ticks at round local times; the date appears once, in the corner, when all share it."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(tz=zone, minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    band.xaxis.set_major_locator(locator)
    formatter = ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator, tz=zone, formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"], zero_formats=["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
    )  # fmt: skip
    band.xaxis.set_major_formatter(formatter)
    band.tick_params(labelsize=TICK_SIZE)
    band.xaxis.get_offset_text().set_fontsize(TICK_SIZE)
