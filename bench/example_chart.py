"""``python -m bench.example_chart``: draw docs/history-chart.png, the README's example chart.

A made-up but typical half day of one CDC task, a sweep every 15 minutes: the full-load backlog of
pending records drains, a burst of writes makes the target fall behind (CDC target lag climbs past
the 10-minute warning and the 1-hour failure thresholds, then recovers), and validation finds
mismatched rows that keep growing until someone looks.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.records import VerdictRow
from bot.render.chart import history_chart_png

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "history-chart.png"
START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
SWEEPS = 48
ARN = "arn:aws:dms:eu-west-1:123456789012:task:ORDERSCDCEXAMPLE"


def _lag(i: int) -> tuple[float, float]:
    """Source lag stays small; target lag climbs from sweep 14 to a peak near sweep 26."""
    source = 4 + 3 * abs(math.sin(i / 3))
    if 14 <= i <= 36:
        target = 6 + 5400 * math.sin(math.pi * (i - 14) / 22) ** 2
    else:
        target = 5 + 4 * abs(math.cos(i / 4))
    return round(source, 1), round(target, 1)


def _verdict(i: int, failed: int, target_lag: float) -> str:
    if failed or target_lag > 3600:
        return "failure"
    return "warning" if target_lag > 600 or i == 5 else "ok"


def example_history() -> list[VerdictRow]:
    """48 sweeps of ``orders-cdc``, oldest first."""
    rows: list[VerdictRow] = []
    for i in range(SWEEPS):
        source, target = _lag(i)
        failed = 0 if i < 22 else round(3 * 1.17 ** (i - 22))
        suspended = 0 if i < 30 else 40
        pending = max(0, round(12_000 * math.exp(-i / 6))) + (250 if 14 <= i <= 36 else 0)
        verdict = _verdict(i, failed, target)
        rows.append(
            VerdictRow(
                sweep_id=i + 1,
                checked_at=START + timedelta(minutes=15 * i),
                target="prod-eu",
                task_arn=ARN,
                task_id="orders-cdc",
                verdict=verdict,
                status="running",
                tables_total=120,
                failed_records=failed,
                suspended_records=suspended,
                pending_records=pending,
                problem_tables=1 if failed else 0,
                reasons=(),
                cdc_source_seconds=source,
                cdc_target_seconds=target,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.example_chart", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"PNG to write ({DEFAULT_OUT})")
    parser.add_argument("--timezone", default="Europe/Paris", help="IANA time zone of the time axis")
    args = parser.parse_args(argv)
    png = history_chart_png(example_history(), task_id="orders-cdc", timezone=args.timezone)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"written to {args.out} ({len(png):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
