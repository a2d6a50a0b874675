"""Stuck validation: a table whose ValidationPendingRecords has not gone down for ``stuck_after``.

Pure bookkeeping over (lowest pending seen, since when); the store keeps it between sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.durations import format_duration
from bot.core.models import TaskVerdict, Verdict

Progress = tuple[int, datetime]  # (lowest pending seen, since when it has not gone lower)


def track(
    previous: Mapping[str, Progress], observed: Mapping[str, int], now: datetime
) -> dict[str, Progress]:
    """New progress per table. Going down restarts the clock; flat or up keeps it; zero forgets it."""
    progress: dict[str, Progress] = {}
    for table, pending in observed.items():
        if pending <= 0:
            continue
        seen = previous.get(table)
        progress[table] = seen if seen is not None and pending >= seen[0] else (pending, now)
    return progress


def stuck(progress: Mapping[str, Progress], now: datetime, stuck_after: float) -> list[str]:
    """Tables whose pending records have not gone down for at least ``stuck_after`` seconds."""
    limit = timedelta(seconds=stuck_after)
    return sorted(table for table, (_, since) in progress.items() if now - since >= limit)


def with_stuck(verdict: TaskVerdict, tables: list[str], stuck_after: float) -> TaskVerdict:
    """The verdict with a "validation stuck" warning when any table is stuck."""
    if not tables:
        return verdict
    n = len(tables)
    reason = (
        f"{n} {'table' if n == 1 else 'tables'} validation stuck "
        f"(pending records not going down for {format_duration(stuck_after)}): {', '.join(tables[:3])}"
        + (f" and {n - 3} more" if n > 3 else "")
    )
    return replace(verdict, verdict=max(verdict.verdict, Verdict.WARNING), reasons=(*verdict.reasons, reason))
