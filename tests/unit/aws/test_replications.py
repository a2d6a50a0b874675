"""DMS Serverless replications through the gateway and the sweep: real, unmodified boto3 over HTTP
against the simulator, in mixed fleets (tasks and replications), call counts equal to the floor."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from bot.core.models import SERVERLESS_UNLISTED, TaskKind, Verdict
from bot.core.selectors import Selection
from bot.settings import ApiBudget, Target
from bot.sim import FaultRule, Scenario, SimServer
from tests.support.simtools import REGION, checker_for, settings_for

Start = Callable[..., SimServer]
STATS = "DescribeReplicationTableStatistics"


def calls(sim: SimServer, op: str) -> int:
    return int(sim.counters()["calls"].get(op, 0))


def replication(ident: str, tables: int = 3, **kw: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": ident, "status": "running", "replication_type": "cdc", "validation": True}
    if tables:
        spec["generate"] = [{"count": tables, "schema": "app", "prefix": "t_"}]
    spec.update(kw)
    return spec


def task(ident: str, tables: int = 3, **kw: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": ident, "status": "running", "migration_type": "cdc", "validation": True}
    spec["generate"] = [{"count": tables, "schema": "app", "prefix": "t_"}]
    spec.update(kw)
    return spec


def mixed(tasks: int, task_tables: int, replications: int, replication_tables: int) -> Scenario:
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [task(f"task-{i:04d}", task_tables) for i in range(tasks)],
            "replications": [
                replication(f"serverless-{i:04d}", replication_tables) for i in range(replications)
            ],
        }
    )


def floor(tasks: int, task_tables: int, replications: int, replication_tables: int) -> int:
    """DESIGN.md "The performance model", both kinds (tasks' listing and statistics at least one call)."""
    return (
        max(1, math.ceil(tasks / 100))
        + tasks * max(1, math.ceil(task_tables / 500))
        + max(1, math.ceil(replications / 100))
        + replications * math.ceil(replication_tables / 500)
    )


def test_one_listing_gives_both_kinds_in_identifier_order(start_sim: Start) -> None:
    sim = start_sim(mixed(2, 3, 2, 3))
    found = [t for _, t in checker_for(sim.url).list_tasks()]
    assert [(t.identifier, t.kind) for t in found] == [
        ("serverless-0000", TaskKind.SERVERLESS),
        ("serverless-0001", TaskKind.SERVERLESS),
        ("task-0000", TaskKind.TASK),
        ("task-0001", TaskKind.TASK),
    ]
    first = found[0]
    assert first.arn.startswith(f"arn:aws:dms:{REGION}:") and ":replication-config:" in first.arn
    assert (first.status, first.migration_type) == ("running", "cdc")
    assert (calls(sim, "DescribeReplicationTasks"), calls(sim, "DescribeReplications")) == (1, 1)


def test_replications_are_listed_100_a_call_following_the_marker(start_sim: Start) -> None:
    sim = start_sim(mixed(0, 0, 250, 0))
    assert len(checker_for(sim.url).list_tasks()) == 250
    assert calls(sim, "DescribeReplications") == 3


def test_replication_statistics_are_read_500_a_call_page_by_page(start_sim: Start) -> None:
    """1,200 tables in 3 calls; the first page is judged before the second is asked for."""
    sim = start_sim(mixed(0, 0, 1, 1200))
    [(watched, found)] = checker_for(sim.url).list_tasks()
    tables = watched.gateway.table_stats(found.arn)
    for _ in range(500):
        next(tables)
    assert calls(sim, STATS) == 1
    assert 500 + sum(1 for _ in tables) == 1200
    assert calls(sim, STATS) == 3


@pytest.mark.parametrize(
    ("tasks", "task_tables", "replications", "replication_tables"),
    [(3, 600, 4, 1200), (120, 20, 130, 10), (5, 10, 0, 0), (0, 0, 3, 501)],
)
def test_a_mixed_sweep_makes_exactly_the_floor_of_calls(
    start_sim: Start, tasks: int, task_tables: int, replications: int, replication_tables: int
) -> None:
    sim = start_sim(mixed(tasks, task_tables, replications, replication_tables))
    checker = checker_for(sim.url)
    checker.sweep()  # the first sweep also names the instances for CDC lag (then cached)
    sim.reset_counters()
    report = checker.sweep()
    assert report.errors == ()
    assert report.summary.tasks == tasks + replications
    assert sim.total_calls() == floor(tasks, task_tables, replications, replication_tables)
    assert calls(sim, STATS) == replications * math.ceil(replication_tables / 500)


def test_an_account_with_no_replication_costs_one_call(start_sim: Start) -> None:
    sim = start_sim(mixed(2, 3, 0, 0))
    checker_for(sim.url).sweep()
    assert calls(sim, "DescribeReplications") == 1


def test_serverless_false_skips_the_listing(start_sim: Start) -> None:
    sim = start_sim(mixed(2, 3, 2, 3))
    settings = settings_for(Target(name="sim", region=REGION, serverless=False))
    report = checker_for(sim.url, settings).sweep()
    assert sorted(v.task.identifier for v in report.tasks) == ["task-0000", "task-0001"]
    assert calls(sim, "DescribeReplications") == calls(sim, STATS) == 0


def test_ids_arns_and_globs_select_replications_too(start_sim: Start) -> None:
    sim = start_sim(mixed(3, 3, 3, 3))
    checker = checker_for(sim.url)
    arn = next(t.arn for _, t in checker.list_tasks() if t.identifier == "serverless-0002")

    sim.reset_counters()
    by_id = checker_for(sim.url, settings_for(Target(name="sim", region=REGION, tasks=("serverless-0001",))))
    assert [v.task.identifier for v in by_id.sweep().tasks] == ["serverless-0001"]
    assert calls(sim, "DescribeReplications") == 1  # filtered, not the whole listing

    sim.reset_counters()
    [(watched, _), *_] = checker.list_tasks()
    sim.reset_counters()
    assert [t.identifier for t in watched.gateway.list_tasks(Selection((arn,)))] == ["serverless-0002"]
    assert (calls(sim, "DescribeReplications"), calls(sim, "DescribeReplicationTasks")) == (1, 0)
    assert watched.gateway.describe_task(arn).identifier == "serverless-0002"

    globbed = checker_for(
        sim.url, settings_for(Target(name="sim", region=REGION, tasks=("serverless-000[01]",)))
    )
    assert sorted(v.task.identifier for v in globbed.sweep().tasks) == ["serverless-0000", "serverless-0001"]


def test_access_denied_on_the_listing_leaves_the_tasks_checked_and_says_what_is_missing(
    start_sim: Start,
) -> None:
    sim = start_sim(mixed(2, 3, 2, 3))
    sim.set_faults([FaultRule(kind="access_denied", op="DescribeReplications")])
    settings = settings_for(
        Target(name="prod-eu", region=REGION, role_arn="arn:aws:iam::123456789012:role/ro")
    )
    report = checker_for(sim.url, settings).sweep()
    assert sorted(v.task.identifier for v in report.tasks) == ["task-0000", "task-0001"]
    [error] = report.errors
    assert (error.target, error.task_id, error.kind) == ("prod-eu", None, SERVERLESS_UNLISTED)
    assert not error.unlisted  # the tasks were listed: not "DMS unreachable"
    assert "cannot see DMS Serverless replications" in error.error
    assert "arn:aws:iam::123456789012:role/ro is not allowed dms:DescribeReplications" in error.error
    assert "AccessDeniedFault" in error.error and "serverless = false" in error.error
    assert report.status == "failure"


def test_access_denied_on_one_replications_statistics_is_its_error_entry(start_sim: Start) -> None:
    """The statistics' IAM resource is the config: a policy may deny them and allow the listing."""
    sim = start_sim(mixed(1, 3, 1, 3))
    sim.set_faults([FaultRule(kind="access_denied", op=STATS)])
    report = checker_for(sim.url).sweep()
    assert [v.task.identifier for v in report.tasks] == ["task-0000"]
    [error] = report.errors
    assert (error.task_id, error.kind) == ("serverless-0000", "AccessDeniedFault")
    assert error.task_arn is not None and ":replication-config:" in error.task_arn


def test_failed_replication_gives_every_failure_message(start_sim: Start) -> None:
    messages = ["Source endpoint unreachable", "Error Level FATAL"]
    scenario = Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "replications": [replication("orders-serverless", status="failed", failure_messages=messages)],
        }
    )
    sim = start_sim(scenario)
    [verdict] = checker_for(sim.url).sweep().tasks
    assert verdict.verdict is Verdict.FAILURE
    assert verdict.reasons[:3] == ("replication failed", *(f"failure: {m}" for m in messages))


def test_deprovisioned_replication_costs_no_statistics_call_and_is_not_healthy(start_sim: Start) -> None:
    scenario = Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "replications": [
                replication(
                    "old-load",
                    status="stopped",
                    replication_type="full-load",
                    stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED",
                    provision_state="deprovisioned",
                )
            ],
        }
    )
    sim = start_sim(scenario)
    [verdict] = checker_for(sim.url).sweep().tasks
    assert verdict.verdict is Verdict.WARNING
    assert verdict.reasons[0].startswith("statistics gone: deprovisioned")
    assert calls(sim, STATS) == 0


def test_replication_calls_take_their_tokens_from_the_same_budget(start_sim: Start) -> None:
    """Every Serverless call passes the target's bucket, retries included: at the bot's share of DMS's
    bucket a mixed sweep larger than the burst is never throttled."""
    # time_scale 20: DMS (older quota) refills 80/s; the bot takes 40/s with a burst of 50.
    sim = start_sim(
        mixed(60, 3, 60, 600), throttling=True, time_scale=20, bucket_capacity=100, bucket_refill=4
    )
    settings = settings_for(budget=ApiBudget(rate=40, burst=50), max_attempts=1)
    checker = checker_for(sim.url, settings)
    report = checker.sweep()
    assert report.errors == ()
    assert sum(sim.counters()["throttled"].values()) == 0
    [watched] = checker.watched
    assert watched.gateway.budget is not None
    assert watched.gateway.budget.acquired == sim.total_calls() == floor(60, 3, 60, 600) + 1  # + instances
    assert calls(sim, STATS) == 120
