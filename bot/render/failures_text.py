"""``dms-bot failures`` in a terminal: a headline with counts by kind, then one line per failed row.

Keys and details come from the target database and may hold anything (``<!channel>``, escape
sequences, 10,000 characters): each is cleaned of control characters and clipped to its column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.failures import FailurePage, FailureRow, failure_words, key_text, to_json
from bot.core.models import Task
from bot.render.terminal import clean

_COLUMNS = (("WHEN (UTC)", 19), ("TABLE", 28), ("KIND", 21), ("KEY", 30))
DETAILS_WIDTH = 60


def counts_line(total: int, by_type: Mapping[str, int]) -> str:
    """``15 failed rows: 9 values differ, 3 missing on the target, ...``, largest first."""
    if not total:
        return "no failed rows"
    kinds = sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    noun = "failed row" if total == 1 else "failed rows"
    return f"{total} {noun}: " + ", ".join(f"{n} {failure_words(kind)}" for kind, n in kinds)


def render_failures(task: Task, *, endpoint: str, engine: str, page: FailurePage) -> str:
    """The whole terminal output, ending with a newline."""
    lines = [
        f"{clean(task.identifier)} · target endpoint {clean(endpoint)} ({clean(engine)})",
        counts_line(page.total, page.by_type),
    ]
    if page.rows:
        if len(page.rows) < page.total:
            lines.append(f"newest {len(page.rows)} shown (--limit N for more)")
        lines += ["", _line([title for title, _ in _COLUMNS] + ["DETAILS"])]
        lines += [_row_line(row) for row in page.rows]
    return "\n".join(lines) + "\n"


def _row_line(row: FailureRow) -> str:
    when = row.failure_time.strftime("%Y-%m-%d %H:%M:%S") if row.failure_time else "-"
    details = f"[{row.resync}] {row.details}" if row.resync else row.details
    return _line([when, row.name, row.words, key_text(row.key), details or "-"])


def _line(cells: list[str]) -> str:
    widths = [width for _, width in _COLUMNS] + [DETAILS_WIDTH]
    shown = [clean(cell, width).ljust(width) for cell, width in zip(cells, widths, strict=True)]
    return "  ".join(shown).rstrip()


def failures_document(task: Task, *, endpoint: str, engine: str, page: FailurePage) -> dict[str, Any]:
    """``failures --format json``: the contract document, newest first."""
    return {
        "task_id": task.identifier,
        "task_arn": task.arn,
        "endpoint": endpoint,
        "engine": engine,
        "total": page.total,
        "by_type": dict(page.by_type),
        "failures": [to_json(row) for row in page.rows],
    }
