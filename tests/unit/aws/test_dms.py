"""The DMS gateway and the sweep: real boto3 over HTTP against the simulator."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from bot.core.models import Verdict
from bot.core.selectors import Selection
from bot.settings import ApiBudget, Target
from bot.sim import FaultRule, Scenario, SimServer, build_fleet
from tests.support.simtools import REGION, checker_for, settings_for

Start = Callable[..., SimServer]


def calls(sim: SimServer, op: str) -> int:
    return sim.counters()["calls"].get(op, 0)


def test_statistics_are_paged_at_500(start_sim: Start) -> None:
    """1,200 tables are read in exactly 3 DescribeTableStatistics calls, all tables seen."""
    sim = start_sim(build_fleet(1, 1200))
    checker = checker_for(sim.url)
    [(watched, task)] = checker.list_tasks()
    assert len(list(watched.gateway.table_stats(task.arn))) == 1200
    assert calls(sim, "DescribeTableStatistics") == 3


def test_listing_is_paged_at_100(start_sim: Start) -> None:
    """250 tasks are listed in exactly 3 DescribeReplicationTasks calls."""
    sim = start_sim(build_fleet(250, 1))
    assert len(checker_for(sim.url).list_tasks()) == 250
    assert calls(sim, "DescribeReplicationTasks") == 3


@pytest.mark.parametrize(("tasks", "tables"), [(25, 1200), (120, 20), (3, 1501)])
def test_sweep_makes_exactly_the_floor_of_calls(start_sim: Start, tasks: int, tables: int) -> None:
    """A sweep costs ceil(tasks/100) listing calls + ceil(tables/500) per task, and (for the CDC lag's
    CloudWatch dimensions) ceil(instances/100) DescribeReplicationInstances while its cache is cold."""
    sim = start_sim(build_fleet(tasks, tables))
    checker = checker_for(sim.url)
    report = checker.sweep()
    assert report.summary.tasks == tasks
    floor = math.ceil(tasks / 100) + tasks * math.ceil(tables / 500)
    instances = math.ceil(len(sim.scenario.instances()) / 100)
    assert sim.total_calls() == floor + instances
    sim.reset_counters()
    checker.sweep()
    assert sim.total_calls() == floor  # the instance names are cached
    assert calls(sim, "DescribeReplicationTasks") == math.ceil(tasks / 100)


def test_named_tasks_use_a_filter_instead_of_the_full_listing(start_sim: Start) -> None:
    """When the config names tasks, one filtered call replaces listing all 300 tasks."""
    sim = start_sim(build_fleet(300, 10))
    names = ("fleet-0007", "fleet-0123")
    settings = settings_for(Target(name="sim", region=REGION, tasks=names))
    report = checker_for(sim.url, settings).sweep()
    assert sorted(v.task.identifier for v in report.tasks) == list(names)
    assert calls(sim, "DescribeReplicationTasks") == 1


def test_configured_task_that_does_not_exist_is_an_error_entry(start_sim: Start) -> None:
    """A named task missing from DMS is reported (typo or deletion), not silently skipped."""
    sim = start_sim(build_fleet(2, 5))
    settings = settings_for(Target(name="sim", region=REGION, tasks=("fleet-0001", "gone-cdc")))
    report = checker_for(sim.url, settings).sweep()
    assert [v.task.identifier for v in report.tasks] == ["fleet-0001"]
    [error] = report.errors
    assert (error.task_id, error.kind) == ("gone-cdc", "not_found")
    assert report.status == "failure"


def test_globs_select_tasks(start_sim: Start) -> None:
    """A glob selector picks matching tasks from the full listing."""
    sim = start_sim(build_fleet(30, 5))
    settings = settings_for(Target(name="sim", region=REGION, tasks=("fleet-001*",)))
    report = checker_for(sim.url, settings).sweep()
    assert len(report.tasks) == 10


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (
            FaultRule(kind="delete_task", op="DescribeTableStatistics", task="fleet-0002"),
            "ResourceNotFoundFault",
        ),
        (
            FaultRule(kind="invalid_state", op="DescribeTableStatistics", task="fleet-0002"),
            "InvalidResourceStateFault",
        ),
        (FaultRule(kind="throttle", op="DescribeTableStatistics", task="fleet-0002"), "ThrottlingException"),
        (FaultRule(kind="http_503", op="DescribeTableStatistics", task="fleet-0002"), "ServiceUnavailable"),
    ],
)
def test_one_task_failing_is_an_error_entry_and_the_sweep_goes_on(
    start_sim: Start, rule: FaultRule, code: str
) -> None:
    """A task whose statistics cannot be read becomes an error entry; every other task is judged."""
    sim = start_sim(build_fleet(4, 30))
    sim.set_faults([rule])
    report = checker_for(sim.url).sweep()
    assert sorted(v.task.identifier for v in report.tasks) == ["fleet-0001", "fleet-0003", "fleet-0004"]
    [error] = report.errors
    assert error.task_id == "fleet-0002"
    assert error.kind == code
    assert code in error.error
    assert report.status == "failure"


def test_transient_503_is_retried_by_botocore(start_sim: Start) -> None:
    """One 503 is absorbed by botocore's standard retry mode: no error reaches the report."""
    sim = start_sim(build_fleet(2, 10))
    sim.set_faults([FaultRule(kind="http_503", op="DescribeTableStatistics", count=1)])
    report = checker_for(sim.url).sweep()
    assert report.errors == ()
    assert calls(sim, "DescribeTableStatistics") == 3  # 2 tasks + 1 retry


def test_listing_failure_is_a_target_level_error(start_sim: Start) -> None:
    """If tasks cannot be listed, the error names the target, with no task id."""
    sim = start_sim(build_fleet(2, 10))
    sim.set_faults([FaultRule(kind="http_500", op="DescribeReplicationTasks")])
    report = checker_for(sim.url).sweep()
    assert report.tasks == ()
    [error] = report.errors
    assert error.task_id is None and error.target == "sim"


def test_missing_and_unknown_fields_are_warnings_not_ok(start_sim: Start) -> None:
    """A table with no ValidationState or an unknown one is never judged healthy."""
    sim = start_sim(build_fleet(2, 10))
    sim.set_faults([FaultRule(kind="unknown_enum", op="DescribeTableStatistics", task="fleet-0001")])
    sim_missing = FaultRule(kind="missing_fields", op="DescribeTableStatistics", task="fleet-0002")
    report = checker_for(sim.url).sweep()
    assert {v.task.identifier: v.verdict for v in report.tasks}["fleet-0001"] >= Verdict.WARNING
    sim.set_faults([sim_missing])
    report = checker_for(sim.url).sweep()
    assert {v.task.identifier: v.verdict for v in report.tasks}["fleet-0002"] >= Verdict.WARNING


def test_budget_keeps_dms_from_throttling(start_sim: Start) -> None:
    """With the bot's share under DMS's bucket, a sweep larger than the bucket is never throttled."""
    # time_scale 20: DMS refills 80/s; the bot takes 40/s with a burst of 50 (its half share).
    sim = start_sim(build_fleet(150, 10), throttling=True, time_scale=20)
    settings = settings_for(budget=ApiBudget(rate=40, burst=50), max_attempts=1)
    report = checker_for(sim.url, settings).sweep()
    assert report.errors == ()
    assert sim.total_calls() == 152 + 1  # + DescribeReplicationInstances, once
    assert sum(sim.counters()["throttled"].values()) == 0


def test_without_a_budget_dms_throttles(start_sim: Start) -> None:
    """The same sweep with no client budget and no retries does hit DMS's limit (the test can fail)."""
    sim = start_sim(build_fleet(150, 10), throttling=True, time_scale=1)
    settings = settings_for(budget=ApiBudget(rate=10_000, burst=10_000), max_attempts=1)
    report = checker_for(sim.url, settings).sweep()
    assert any(e.kind == "ThrottlingException" for e in report.errors)


def test_selection_by_arn_uses_the_arn_filter(start_sim: Start, demo_like: Scenario) -> None:
    """An ARN selector lists with the replication-task-arn filter (one call)."""
    sim = start_sim(demo_like)
    checker = checker_for(sim.url)
    [(watched, task), *_] = checker.list_tasks()
    sim.reset_counters()
    assert [t.arn for t in watched.gateway.list_tasks(Selection((task.arn,)))] == [task.arn]
    assert calls(sim, "DescribeReplicationTasks") == 1


@pytest.fixture
def demo_like() -> Scenario:
    return build_fleet(5, 5)


def test_task_settings_are_one_filtered_call_for_that_task(start_sim: Start) -> None:
    from bot.aws.dms import DmsGateway
    from bot.errors import TaskNotFound
    from tests.support.sim_helpers import make_client

    sim = start_sim(
        Scenario.from_dict(
            {
                "tasks": [
                    {"id": "on", "task_settings": {"ResyncSettings": {"EnableResync": True}}},
                    {"id": "off", "validation": False},
                ]
            }
        )
    )
    gateway = DmsGateway(make_client(sim.url))
    arns = {t.identifier: t.arn for t in sim.scenario.tasks}
    on, off = gateway.task_settings(arns["on"]), gateway.task_settings(arns["off"])
    assert (on.validation_enabled, on.resync_enabled) == (True, True)
    assert off.validation_enabled is False and off.lob_caveat is not None  # the simulator's limited LOB mode
    assert gateway.calls == {"DescribeReplicationTasks": 2}
    with pytest.raises(TaskNotFound):
        gateway.task_settings(arns["on"].replace(arns["on"].rsplit(":", 1)[1], "NOSUCHTASK"))
