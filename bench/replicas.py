"""One DMS budget for several replicas: ``serve --http`` replicas on one PostgreSQL database against
one simulator whose token bucket is the bot's share itself (see :mod:`tests.support.budget_replicas`).

Run with one replica, then with two (the standby answering ``/dms status`` about new tasks while the
leader sweeps): the calls per sweep should not change (only the leader sweeps), and the calls of both
processes together should stay within the share, with nothing throttled.
``python -m bench.replicas [tasks] [--time-scale S]`` prints the table alone.
"""

from __future__ import annotations

import argparse

from bench.plan import BURST, RATE, ReplicasSpec, sweep_floor
from tests.support.budget_replicas import BudgetRun, run_in_scratch


def run_replicas_bench(spec: ReplicasSpec) -> tuple[BudgetRun, ...]:
    """The same fleet with one replica, then with two."""
    return tuple(
        run_in_scratch(n, tasks=spec.tasks, tables=spec.tables, time_scale=spec.time_scale) for n in (1, 2)
    )


def replicas_table(spec: ReplicasSpec, runs: tuple[BudgetRun, ...]) -> list[str]:
    floor = sweep_floor(spec.tasks, spec.tables)
    rows = [
        f"## Replicas sharing one DMS budget ({spec.name}, one simulator)",
        "",
        "| replicas | leader's sweep calls / floor | standby `/dms status` answered (DMS calls) "
        "| all DMS calls | summed rate after the burst | worst window: calls - share x window "
        "| throttled responses | `/dms status` answered by every replica | sweep time (scaled run) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        questions = f"{run.answered}/{run.asked} ({run.question_calls})" if run.replicas > 1 else "n/a"
        rows.append(
            f"| {run.replicas} | {run.sweep_calls} / {floor} | {questions} | {run.samples[-1][1]} "
            f"| {run.summed_rate():.2f}/s | {run.worst_excess():.1f} (burst {BURST}) | {run.throttled} "
            f"| {'yes' if all(run.status_everywhere) else '**no**'} "
            f"| {run.sweep_seconds * spec.time_scale:.0f} s ({run.sweep_seconds:.1f} s) |"
        )
    return [
        *rows,
        "",
        f"`serve --http` replicas on one PostgreSQL database, share {RATE:g}/s x S, burst {BURST}, "
        f"S = {spec.time_scale:g}; the simulator's DMS bucket is the share itself (+5 tokens for calls "
        "arriving out of step), so a call beyond the share would be throttled. The first replica leads "
        "and sweeps at start-up; with two, the standby is sent a signed `/dms status <task>` about a "
        "task not asked before every 0.25 s until the sweep ends (each costs DMS calls). Rates are "
        "real-time equivalent; the worst window is over the simulator's call count sampled every "
        "20 ms: the share holds when it stays within the burst. Sweep time runs from the first "
        "replica's start to the end of the leader's sweep. Afterwards every replica is asked "
        "`/dms status` once (counted in all DMS calls).",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("tasks", type=int, nargs="?", default=300)
    parser.add_argument("--tables", type=int, default=300)
    parser.add_argument("--time-scale", type=float, default=10.0)
    args = parser.parse_args(argv)
    spec = ReplicasSpec(args.tasks, args.tables, args.time_scale)
    print("\n".join(replicas_table(spec, run_replicas_bench(spec))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
