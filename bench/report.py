"""The benchmark results as Markdown (printed, and written to ``docs/benchmarks.md``)."""

from __future__ import annotations

from dataclasses import dataclass

from bench.ack import AckResult
from bench.figures import BotFigures, bot_figures, original_figures, percentile
from bench.fleet import FleetResult
from bench.plan import BURST, RATE
from bench.replicas import replicas_table
from bench.run import BenchResults

RATIO_TARGET = 1.15
STATUS_TARGET = 2.0  # seconds, real-time equivalent, p95 during the biggest sweep
RSS_TARGET = 150.0  # MB, the fleet with the most tables


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    figure: str
    met: bool


def targets(results: BenchResults) -> list[Target]:
    figs = [(r.spec, bot_figures(r)) for r in results.fleets]
    if not figs:
        return []
    most_tasks = max(figs, key=lambda sf: sf[0].tasks)
    most_tables = max(figs, key=lambda sf: sf[0].tables)
    ratios = [(s, f.ratio) for s, f in figs if f.ratio is not None]
    p95 = most_tasks[1].status_p95
    return [
        Target(
            "DMS calls equal to the floor on every fleet",
            ", ".join(f"{s.name}: {f.sweep_calls}/{f.floor_calls}" for s, f in figs),
            all(f.sweep_calls == f.floor_calls for _, f in figs),
        ),
        Target(
            "zero throttled responses surfaced",
            ", ".join(f"{s.name}: {f.surfaced} surfaced, {f.throttled} throttled" for s, f in figs),
            all(f.surfaced == 0 for _, f in figs),
        ),
        Target(
            f"sweep time within {RATIO_TARGET}x of the floor time",
            ", ".join(f"{s.name}: {r:.3f}x" for s, r in ratios) or "no fleet outlasts the burst",
            all(r <= RATIO_TARGET for _, r in ratios),
        ),
        Target(
            f"mid-sweep `/dms status` p95 < {STATUS_TARGET:g} s during the {most_tasks[0].name} sweep",
            _secs(p95),
            p95 is not None and p95 < STATUS_TARGET,
        ),
        Target(
            f"peak RSS < {RSS_TARGET:g} MB for {most_tables[0].name}",
            f"{most_tables[1].peak_rss_mb:.0f} MB",
            most_tables[1].peak_rss_mb < RSS_TARGET,
        ),
        *_replicas_target(results),
    ]


def _replicas_target(results: BenchResults) -> list[Target]:
    """Only when the run had replicas: the share held for their sum, and nothing was throttled."""
    if not results.replicas:
        return []
    figure = ", ".join(
        f"{r.replicas}: {r.summed_rate():.2f}/s, worst window {r.worst_excess():.1f}, {r.throttled} throttled"
        for r in results.replicas
    )
    met = all(r.throttled == 0 and r.worst_excess() <= BURST + 1 for r in results.replicas)
    return [Target(f"replicas together within the {RATE:g}/s share, 0 throttled", figure, met)]


def render(results: BenchResults) -> str:
    plan = results.plan
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`; `python -m bench --quick` runs smaller fleets). "
        "Every figure below was measured in that run.",
        "",
        f"Measured on {results.started:%Y-%m-%d %H:%M} UTC, in {results.seconds / 60:.1f} min.",
        f"Machine: {results.machine}.",
        *([f"*{plan.note}.*"] if plan.note else []),
        "",
        *_method(results),
        "",
        "## The bot's sweep",
        "",
        *_bot_table(results.fleets),
        "",
        "## The original tool's approach, on the same simulator",
        "",
        *_original_table(results.fleets),
    ]
    if results.pool is not None:
        lines += ["", *_pool_table(results.pool)]
    if results.ack is not None:
        lines += ["", *_ack_table(results.ack)]
    if results.replicas and results.plan.replicas is not None:
        lines += ["", *replicas_table(results.plan.replicas, results.replicas)]
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t.name} | {t.figure} | {'yes' if t.met else '**no**'} |" for t in targets(results)]
    return "\n".join(lines) + "\n"


def _method(results: BenchResults) -> list[str]:
    latency = results.plan.dms_latency
    return [
        "How: the bot's real sweep (`build_sweeps` + `Sweeps.sweep`, real boto3 over HTTP) against "
        "the DMS simulator with DMS's token bucket on, at the older, smaller quota (100 tokens, 4/s; "
        "DMS's current quota page says 200 at 8/s, so real headroom is larger). Time is scaled: the simulator's "
        f"clock runs S times real time and the bot's budget is scaled by the same S ({RATE:g}/s x S, "
        f"burst {BURST}), so the bot's share of DMS's bucket and every calls/rate ratio are the real ones. "
        f"Each simulated DMS call also takes {latency:g} s of DMS time ({latency:g}/S real seconds; an "
        "assumption, the simulator has no network). The simulator runs in the benchmark process; each "
        "client runs in a fresh subprocess, so the peak RSS is the client's own. Fleets have 0.1% of "
        "tables unhealthy.",
        "",
        "Real-time equivalent: token waits and simulated DMS latency are multiplied by S; CPU time "
        "(JSON, botocore parsing, Python) is not scaled (a real deployment spends the same) and is "
        "added as measured. A scaled run squeezes S times more rows per second through the CPU than "
        "a real sweep does, so the *bot CPU busy* column is S times what production sees.",
    ]


def _bot_table(fleets: tuple[FleetResult, ...]) -> list[str]:
    rows = [
        "| fleet | S | sweep calls / floor | throttled responses | ThrottlingException surfaced "
        "| sweep time (scaled run) | floor time (scaled run) | sweep / floor | `/dms status` p50 / p95 / max "
        "(mid-sweep / asked) | peak RSS | bot CPU busy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for r in fleets:
        f = bot_figures(r)
        rows.append(
            f"| {r.spec.name} | {r.spec.time_scale:g} | {f.sweep_calls} / {f.floor_calls} | {f.throttled} "
            f"| {f.surfaced} | {f.sweep_seconds:.1f} s ({f.scaled_sweep_seconds:.2f} s) "
            f"| {f.floor_seconds:.1f} s ({f.floor_seconds / r.spec.time_scale:.2f} s) | {_ratio(f)} "
            f"| {_secs(f.status_p50)} / {_secs(f.status_p95)} / "
            f"{_secs(f.status_max)} ({f.mid_sweep}/{f.asked}) | {f.peak_rss_mb:.0f} MB "
            f"| {f.cpu_busy:.0%} |"
        )
        share = f"{f.share_of_dms:.0%} of DMS's 4/s" if f.ratio is not None else "its burst only"
        notes.append(
            f"- {r.spec.name}: the questions made {f.question_calls} calls through the same budget "
            f"(sweep-only floor {f.sweep_only_floor_seconds:.1f} s); the sweep used {share}; "
            f"the pool measured {_secs(f.measured_latency, 2)} per call "
            f"(started with {f.initial_workers} workers); tasks judged {r.bot.run.tasks_checked}/"
            f"{r.spec.watched}, errors in the report: {f.errors}."
        )
    return [
        *rows,
        "",
        "Times are real-time equivalent (scaled run in brackets). Floor time = (sweep calls + the "
        f"mid-sweep questions' calls - burst {BURST}) / {RATE:g} per s: the questions share the "
        "budget. A sweep the burst covers is paced by latency and CPU, not by the budget: it has no "
        "ratio, and its time x S overstates it, since its CPU share is scaled too. `/dms status` is "
        "`Questions.status(found, fresh=True)` (what `/dms check <task>` runs), asked from another "
        "thread at even intervals over the sweep's floor time; a question is mid-sweep when it starts "
        "before the sweep ends.",
        "",
        *notes,
    ]


def _original_table(fleets: tuple[FleetResult, ...]) -> list[str]:
    rows = [
        "| fleet | S | DMS calls (bot's sweep) | throttled responses | errors | tasks read "
        "| time (scaled run) | bot's sweep | share of DMS's 4/s | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    retries = ""
    for r in fleets:
        if r.original is None:
            continue
        o, f = original_figures(r, r.original), bot_figures(r)
        retries = o.retries
        rows.append(
            f"| {r.spec.name} | {r.spec.time_scale:g} | {o.calls} ({f.sweep_calls}) | {o.throttled} "
            f"| {o.errors} | {o.tasks_read}/{r.spec.tasks} | {o.seconds:.1f} s ({o.scaled_seconds:.2f} s) "
            f"| {f.sweep_seconds:.1f} s | {o.share_of_dms:.0%} | {o.peak_rss_mb:.0f} MB |"
        )
    throttled = any(r.original is not None and r.original.sim.throttled for r in fleets)
    why = (
        "DMS throttled it: botocore's retries absorbed what they could and the rest are its errors."
        if throttled
        else "DMS did not throttle it here: one call at a time at this latency stays near DMS's 4/s "
        "by itself, so it takes most of the account's budget instead, leaving the console and "
        "other tools the rest."
    )
    return [
        *rows,
        "",
        "Sequential; per task one DescribeReplicationTasks filtered by identifier, then "
        "DescribeTableStatistics at DMS's default page of 100; plain boto3, no client budget "
        f"({retries or 'botocore defaults'}). Its time: each call's simulated DMS latency replaced by "
        "the real-time one, CPU and retry sleeps as measured, and never below what DMS's bucket "
        f"allows, (calls - 100) / 4. {why}",
    ]


def _pool_table(pool: tuple[FleetResult, FleetResult]) -> list[str]:
    fixed, measured = pool
    rows = [
        f"## Pool sizing when DMS is slow ({fixed.dms_latency:g} s per call, {fixed.spec.name})",
        "",
        "| pool | workers at start | measured s per call | sweep time | floor time | sweep / floor |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in (("fixed: rate x 0.5 s guess + 1", fixed), ("measured (PoolSizer)", measured)):
        f = bot_figures(r)
        rows.append(
            f"| {label} | {f.initial_workers} | {_secs(f.measured_latency, 2)} | {f.sweep_seconds:.1f} s "
            f"| {f.floor_seconds:.1f} s | {_ratio(f)} |"
        )
    return rows


def _ack_table(ack: AckResult) -> list[str]:
    spec, acks = ack.spec, sorted(ack.acks)
    ok = sum(1 for s in ack.statuses if s == 200)
    return [
        f"## `/dms` slash-command ACK while a {spec.tasks} x {spec.tables:,} sweep runs",
        "",
        "| S | commands | HTTP 200 | ACK p50 | ACK p95 | ACK max | answered | answer p50 / p95 "
        "(scaled run) | throttled responses | sweep ended during the run |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {spec.time_scale:g} | {len(acks)} | {ok} | {_ms(percentile(acks, 50))} "
        f"| {_ms(percentile(acks, 95))} | {_ms(acks[-1] if acks else None)} "
        f"| {ack.answered}/{len(acks)} | {_secs(percentile(ack.answer_seconds, 50), 2)} / "
        f"{_secs(percentile(ack.answer_seconds, 95), 2)} | {ack.throttled} | "
        f"{'yes' if ack.sweep_logged else 'no'} |",
        "",
        "`python -m bot serve --http` as a subprocess (budget scaled like the fleets), signed "
        f"`/dms status <task>` POSTs every {spec.interval:g} s from start-up until the bot logs the "
        "end of its first sweep. The ACK is the HTTP response time, real seconds (not scaled: it is "
        "CPU and loopback only, under S times the real sweep's CPU load). Answer times are wall "
        "seconds in the scaled run, from the POST to the answer on its response_url.",
    ]


def _ratio(f: BotFigures) -> str:
    return f"{f.ratio:.3f}x" if f.ratio is not None else "n/a (within the burst)"


def _secs(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} s"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.0f} ms"
