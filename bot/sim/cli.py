"""``python -m bot sim``: serve the DMS simulator on loopback until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from bot.sim.clock import DEFAULT_QUOTA, QUOTAS
from bot.sim.errors import ScenarioError
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer

DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sim`` subcommand's options (the lead's ``bot/cli.py`` mounts them)."""
    parser.add_argument("--scenario", metavar="FILE", help="scenario TOML/JSON (default: the built-in demo)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, metavar="X", help="scenario seconds per real second"
    )
    parser.add_argument("--latency", type=float, default=0.0, metavar="S", help="seconds added to every call")
    parser.add_argument(
        "--no-throttling", action="store_true", help="disable DMS's API token bucket (see --quota)"
    )
    parser.add_argument(
        "--quota",
        choices=tuple(QUOTAS),
        default=DEFAULT_QUOTA,
        help="DMS's API bucket: current = 200 requests refilled 8/s (default), old = 100 and 4/s",
    )


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until a signal (or ``stop``, for tests); 2 with one stderr line on bad input."""
    from bot.sim import DEMO_SCENARIO

    if args.time_scale <= 0 or args.latency < 0:
        return _fail("--time-scale must be > 0 and --latency >= 0")
    try:
        scenario = load_scenario(args.scenario or DEMO_SCENARIO)
    except ScenarioError as exc:
        return _fail(str(exc))
    sim = SimServer(
        scenario,
        host=args.host,
        port=args.port,
        time_scale=args.time_scale,
        latency=args.latency,
        throttling=not args.no_throttling,
        quota=args.quota,
    )
    try:
        sim.start()
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    stop = stop or threading.Event()
    try:
        with _stop_on_signals(stop):  # before the URL line: whoever reads it may signal at once
            print(
                f"DMS simulator serving {len(scenario.tasks)} tasks + {len(scenario.replications)} "
                f"serverless replications / {scenario.table_count()} tables from "
                f"{scenario.source} on {sim.url} (region {scenario.region}; {_bucket(args)}); "
                f"export AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE={sim.url}",
                flush=True,
            )
            while not stop.wait(0.2):
                pass
    finally:
        sim.stop()
    return 0


def _bucket(args: argparse.Namespace) -> str:
    if args.no_throttling:
        return "no API throttling"
    capacity, refill = QUOTAS[args.quota]
    return f"API bucket {capacity:g} requests refilled {refill:g}/s"


def _fail(message: str) -> int:
    print(f"dms-bot sim: {message}", file=sys.stderr)
    return 2


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop``; handlers are restored afterwards (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.sim.cli``: the same as ``python -m bot sim``."""
    parser = argparse.ArgumentParser(prog="python -m bot.sim.cli", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
