"""``python -m bench.worker bot|original '<job json>'``: one measured run in a fresh process.

A fresh process per run makes its peak RSS the run's own; the simulator stays in the parent, so
the two do not share one interpreter's CPU either. The result is one JSON line on stdout.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict
from typing import Any

from bench.botrun import BotJob, run_bot
from bench.original import OriginalJob, run_original


def measure(kind: str, job: dict[str, Any]) -> dict[str, Any]:
    """Run ``kind`` and add the process's own costs: CPU and wall seconds of the run, peak RSS."""
    started, cpu = time.monotonic(), time.process_time()
    run: Any = run_bot(BotJob(**job)) if kind == "bot" else run_original(OriginalJob(**job))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "run": asdict(run),
        "cpu_seconds": time.process_time() - cpu,
        "wall_seconds": time.monotonic() - started,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("bot", "original"):
        print("usage: python -m bench.worker bot|original '<job json>'", file=sys.stderr)
        return 2
    print(json.dumps(measure(argv[0], json.loads(argv[1]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
