"""``dms-bot ready`` flags, kept apart from the command so ``--help`` imports nothing heavy."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

from bot.core.durations import parse_duration

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", metavar="TASK", help="replication task identifier or ARN")
    parser.add_argument(
        "--max-lag",
        metavar="D",
        type=duration,
        help="most CDC lag allowed at any datapoint, e.g. 5s (default: [cutover] max_lag, 5s)",
    )
    parser.add_argument(
        "--steady",
        metavar="D",
        type=window,
        help="how long the lag must have stayed within --max-lag, e.g. 5m (default: [cutover] steady, 5m)",
    )
    parser.add_argument(
        "--since",
        metavar="TIME",
        type=moment,
        help="when writes were frozen (ISO 8601, or HH:MM UTC, the last one passed): failed rows and apply "
        "exceptions older than this do not count",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format on stdout")
    parser.add_argument(
        "--config", metavar="F", help="TOML config file (default: $DMS_BOT_CONFIG or ./dms-bot.toml)"
    )


def duration(value: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def window(value: str) -> float:
    seconds = duration(value)
    if seconds < 60:
        raise argparse.ArgumentTypeError(
            f"expected at least 1m (CloudWatch's 1-minute periods), got {value!r}"
        )
    return seconds


def moment(value: str, *, now: datetime | None = None) -> datetime:
    """An ISO 8601 time (no zone = UTC) or ``HH:MM`` UTC, the last one that has passed; never in the
    future."""
    now = now or datetime.now(UTC)
    text = value.strip()
    clock = _CLOCK.fullmatch(text)
    try:
        if clock:
            at = now.replace(hour=int(clock[1]), minute=int(clock[2]), second=0, microsecond=0)
        else:
            at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time like 2026-12-06T09:00Z or 09:00 (UTC), got {value!r}"
        ) from None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if clock and at > now:
        at -= timedelta(days=1)  # a cutover night crosses midnight: 23:50 said at 00:10 is yesterday's
    if at > now:
        raise argparse.ArgumentTypeError(f"{value!r} is in the future: --since is when writes were frozen")
    return at.astimezone(UTC)
