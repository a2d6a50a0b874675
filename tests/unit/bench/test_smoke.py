"""A tiny run of the real benchmark (fresh worker processes, simulator, ``serve --http``).

It checks the structure of what the benchmark returns and prints, and the figures that do not
depend on timing: calls at the floor, nothing throttled. Times are measured, never asserted.
"""

from __future__ import annotations

import pytest

from bench.figures import bot_figures, original_figures
from bench.plan import AckSpec, FleetSpec, Plan, ReplicasSpec, sweep_floor
from bench.report import render, targets
from bench.run import BenchResults, run_plan

TINY = FleetSpec(5, 30, time_scale=50, questions=3)


@pytest.fixture(scope="module")
def results() -> BenchResults:
    plan = Plan(fleets=(TINY,), ack=None, pool_check=TINY, note="smoke run")
    return run_plan(plan, echo=lambda _: None)


def test_bot_sweep_makes_the_floor_of_calls_and_is_never_throttled(results: BenchResults) -> None:
    [fleet] = results.fleets
    figures = bot_figures(fleet)
    # 1 listing + 5 x 1 statistics + 1 instance listing + 1 DescribeReplications (none there)
    assert (figures.sweep_calls, figures.floor_calls) == (8, 8)
    assert figures.throttled == 0 and figures.surfaced == 0 and figures.errors == 0
    assert fleet.bot.run.tasks_checked == 5
    assert figures.asked == 3 and figures.status_p95 is not None
    assert figures.all_calls == figures.sweep_calls + figures.question_calls
    assert figures.peak_rss_mb > 0


def test_original_approach_is_measured_on_the_same_simulator(results: BenchResults) -> None:
    """One filtered listing per task plus default-size pages: 5 x (1 + 1) calls."""
    [fleet] = results.fleets
    assert fleet.original is not None
    figures = original_figures(fleet, fleet.original)
    assert figures.calls == TINY.original_calls == 10
    assert figures.tasks_read == 5 and figures.errors == 0


def test_pool_check_compares_a_fixed_and_a_measured_pool(results: BenchResults) -> None:
    assert results.pool is not None
    fixed, measured = results.pool
    assert not fixed.adaptive and fixed.bot.run.measured_latency is None
    assert measured.adaptive and measured.bot.run.measured_latency is not None


def test_report_has_every_section_and_target(results: BenchResults) -> None:
    text = render(results)
    for heading in (
        "# Benchmarks",
        "## The bot's sweep",
        "## The original tool's approach",
        "## Pool sizing when DMS is slow",
        "## Targets",
    ):
        assert heading in text
    assert "| 5 x 30 | 50 | 8 / 8 | 0 | 0 |" in text
    assert "Machine: " in text and "Python 3." in text
    names = [t.name for t in targets(results)]
    assert len(names) == 5
    by_name = {t.name: t for t in targets(results)}
    assert by_name["DMS calls equal to the floor on every fleet"].met
    assert by_name["zero throttled responses surfaced"].met


@pytest.mark.slow
def test_ack_run_times_signed_slash_commands_against_serve() -> None:
    """`serve --http` in a subprocess acks every signed /dms POST and answers on its response_url."""
    plan = Plan(fleets=(), ack=AckSpec(5, 30, time_scale=50, interval=0.05), original=False)
    results = run_plan(plan, echo=lambda _: None)
    ack = results.ack
    assert ack is not None and ack.acks
    assert set(ack.statuses) == {200}
    assert ack.answered == len(ack.acks)
    assert ack.throttled == 0
    assert "## `/dms` slash-command ACK" in render(results)


@pytest.mark.slow
def test_replicas_row_sweeps_once_with_one_or_two_replicas_within_the_share() -> None:
    """`serve --http` replicas on one PostgreSQL database: the same calls per sweep, none throttled."""
    spec = ReplicasSpec(60, 30, time_scale=25)
    results = run_plan(Plan(fleets=(), ack=None, original=False, replicas=spec), echo=lambda _: None)
    one, two = results.replicas
    assert (one.replicas, two.replicas) == (1, 2)
    assert one.sweep_calls == two.sweep_calls == sweep_floor(60, 30)
    assert one.throttled == two.throttled == 0 and two.status_everywhere == (True, True)
    assert "## Replicas sharing one DMS budget (60 x 30, one simulator)" in render(results)


def test_call_counter_prints_calls_against_the_floor(capsys) -> None:
    """`python -m bench.calls` reports the simulator's count next to the floor (here 1 + 3 x 3 + 1 + 1 = 12:
    the instance listing for CDC lag, and one DescribeReplications that finds no Serverless replication)."""
    from bench.calls import main

    assert main(["3", "1200", "--time-scale", "100"]) == 0
    out = capsys.readouterr().out
    assert "3 tasks + 0 serverless replications x 1200 tables: 12 DMS calls (floor 12;" in out
    assert "throttled 0" in out
