"""``python -m bench`` (``make bench``): measure the bot's DMS budget use and write docs/benchmarks.md.

``--quick`` runs smaller fleets in about a minute; the full run takes roughly ten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.plan import FULL, QUICK
from bench.report import render
from bench.run import run_plan

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller fleets, about a minute")
    parser.add_argument(
        "--out", type=Path, default=None, help=f"Markdown file to write (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    results = run_plan(plan, echo=lambda line: print(line, file=sys.stderr, flush=True))
    text = render(results)
    print(text)
    if not args.no_write:
        out = args.out or DEFAULT_OUT
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
