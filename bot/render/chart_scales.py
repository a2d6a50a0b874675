"""The pure arithmetic behind the history chart: ticks, verdict runs and the period in words.

Kept apart from the drawing so it is tested with plain values, without matplotlib.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from bot.core.durations import format_duration

DEFAULT_SLOT = timedelta(minutes=15)  # one sweep's width when there is no second one to measure
# steps for the CDC lag axis: what an engineer reads off a clock
LAG_STEPS: tuple[int, ...] = (
    *(1, 2, 5, 10, 15, 30),
    *(60 * m for m in (1, 2, 5, 10, 15, 30)),
    *(3600 * h for h in (1, 2, 3, 6, 12)),
    *(86400 * d for d in (1, 2, 7, 14, 30)),
)
MAX_TICKS = 6
EN_DASH = "\u2013"  # between the two ends of a period


def record_ticks(peak: int) -> list[int]:
    """0 and powers of ten up to just above ``peak``, thinned to at most :data:`MAX_TICKS` + 1."""
    decades = max(1, math.ceil(math.log10(max(peak, 1) + 1)))
    stride = math.ceil(decades / MAX_TICKS)
    powers = list(range(0 if stride == 1 else stride, decades + 1, stride))  # 1 would sit on 0
    if powers[-1] < decades:  # the top tick always clears the peak
        powers.append(powers[-1] + stride)
    return [0, *(10**d for d in powers)]


def record_label(value: float) -> str:
    """``0``, ``10``, ``1k``, ``100k``, ``1M``; beyond millions ``1e9``."""
    n = round(value)
    if n < 1000:
        return f"{n:d}"
    for size, unit in ((10**6, "M"), (10**3, "k")):
        if n >= size and n < size * 1000:
            return f"{n // size:d}{unit}"
    return f"{n:.0e}".replace("e+0", "e").replace("e+", "e")


def lag_ticks(peak: float) -> list[int]:
    """0 and whole steps (30s, 5m, 1h …) up to just above ``peak`` seconds, at most 6 intervals."""
    top = max(peak * 1.05, 60.0)
    step = next((s for s in LAG_STEPS if top / s <= MAX_TICKS), LAG_STEPS[-1])
    count = max(1, math.ceil(top / step))
    return [step * i for i in range(count + 1)]


def lag_label(seconds: float) -> str:
    """``0``, ``45s``, ``1m 30s``, ``2h``, ``1h 30m``: exact for every step of :data:`LAG_STEPS`."""
    whole = round(seconds)
    if whole <= 0:
        return "0"
    if whole < 3600 and whole % 60:  # format_duration drops seconds past a minute
        return f"{whole // 60}m {whole % 60}s" if whole > 60 else f"{whole}s"
    return format_duration(whole)


def slot(times: Sequence[datetime]) -> timedelta:
    """The usual time between two sweeps: the (upper) median gap, gaps of zero ignored."""
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    return sorted(gaps)[len(gaps) // 2] if gaps else DEFAULT_SLOT


def verdict_runs(
    times: Sequence[datetime], verdicts: Sequence[str], width: timedelta
) -> list[tuple[str, datetime, datetime]]:
    """``(verdict, start, end)`` spans, one sweep ``width`` wide around each time, runs merged.

    A sweep reaches at most halfway to its neighbours, so an outage (no sweeps) shows as a gap.
    """
    half = width / 2
    runs: list[tuple[str, datetime, datetime]] = []
    for i, (at, verdict) in enumerate(zip(times, verdicts, strict=True)):
        start = max(at - half, times[i - 1] + (at - times[i - 1]) / 2) if i else at - half
        end = min(at + half, at + (times[i + 1] - at) / 2) if i + 1 < len(times) else at + half
        if runs and runs[-1][0] == verdict and runs[-1][2] >= start:
            runs[-1] = (verdict, runs[-1][1], end)
        else:
            runs.append((verdict, start, end))
    return runs


def period(first: datetime, last: datetime, zone: tzinfo, zone_name: str) -> str:
    """``26 Nov 2026 09:00 to 20:45 (Europe/Paris)`` (an en dash for "to"), both dates when they differ."""
    a, b = first.astimezone(zone), last.astimezone(zone)
    if a == b:
        return f"{a:%d %b %Y %H:%M} ({zone_name})"
    if a.date() == b.date():
        return f"{a:%d %b %Y %H:%M} {EN_DASH} {b:%H:%M} ({zone_name})"
    year = "" if a.year == b.year else f" {a:%Y}"
    return f"{a:%d %b}{year} {a:%H:%M} {EN_DASH} {b:%d %b %Y %H:%M} ({zone_name})"
