"""Questions: finding tasks by name, answers from the cache within cache_ttl (counted at the
simulator), re-checking only what is missing, why a listing failed, and what the store remembers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app.questions import NO_DATABASES, Ambiguous, Found, NotFound, Questions
from bot.app.sweeps import Sweeps
from bot.core.models import TaskError, TaskVerdict
from bot.core.slash import PROBLEMS
from bot.errors import TargetDbError
from bot.settings import DatabaseSettings, Secret
from bot.sim import FaultRule, Scenario
from bot.sim.model import resource_id
from tests.support.inprocess import small_fleet, table
from tests.support.simtools import REGION
from tests.support.target_fixtures import FilledTarget, copy_rows
from tests.unit.app.conftest import UNKNOWN_ARN, MakeWorld, World, watching_demo

LIST = "DescribeReplicationTasks"
STATS = "DescribeTableStatistics"


class Ticks:
    """A monotonic clock the test moves: the services' cache ages by it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached_questions(world: World, ticks: Ticks, *, cache_ttl: float = 60.0) -> Questions:
    """Questions over a Sweeps whose cache ages by ``ticks``, not by real time."""
    sweeps = Sweeps(
        world.sweeps.watched,
        policy=world.settings.policy,
        clock=world.clock,
        cache_ttl=cache_ttl,
        monotonic=ticks,
    )
    return Questions(sweeps, store=world.store, clock=world.clock, monotonic=ticks)


def found(questions: Questions, name: str) -> Found:
    answer = questions.find(name)
    assert isinstance(answer, Found), answer
    return answer


def test_find_by_identifier_arn_resource_id_or_unique_prefix(world: World) -> None:
    arn = world.arn("orders-cdc")
    for name in ("orders-cdc", arn, arn.rsplit(":", 1)[-1], "ord", "ORDERS", "  orders-cdc "):
        assert found(world.questions, name).task.arn == arn, name


def test_a_shared_prefix_is_ambiguous_and_names_the_candidates_sorted(make_world: MakeWorld) -> None:
    world = make_world(small_fleet(**{"billing-archive": {"tables": [table("billing", "old")]}}))
    answer = world.questions.find("billing")
    assert answer == Ambiguous("billing", ("billing-archive", "billing-cdc"))


def test_an_unknown_name_is_not_found_with_close_names_as_suggestions(world: World) -> None:
    answer = world.questions.find("biling-cdc")
    assert isinstance(answer, NotFound) and answer.name == "biling-cdc"
    assert answer.suggestions[0] == "billing-cdc"
    assert world.questions.find("zzzz") == NotFound("zzzz", ())


def test_find_lists_dms_once_when_nothing_is_known_and_once_more_only_on_a_miss(world: World) -> None:
    found(world.questions, "crm-cdc")
    assert world.calls(LIST) == 1
    found(world.questions, "orders-cdc")
    assert world.calls(LIST) == 1  # known now: no call
    world.questions.find("no-such-task")
    assert world.calls(LIST) == 2  # a miss refreshes the listing once


def test_status_within_cache_ttl_makes_no_dms_call_and_after_it_checks_again(world: World) -> None:
    ticks = Ticks()
    questions = cached_questions(world, ticks, cache_ttl=60)
    questions.sweeps.sweep()
    task = found(questions, "billing-cdc")
    world.sim.reset_counters()
    ticks.now += 60
    verdict = questions.status(task)
    assert isinstance(verdict, TaskVerdict) and verdict.task.arn == task.task.arn
    assert world.sim.total_calls() == 0
    ticks.now += 1
    questions.status(task)
    assert world.sim.counters()["calls"] == {LIST: 1, STATS: 1}


def test_status_fresh_asks_dms_even_within_cache_ttl(world: World) -> None:
    ticks = Ticks()
    questions = cached_questions(world, ticks)
    questions.sweeps.sweep()
    task = found(questions, "billing-cdc")
    world.sim.reset_counters()
    questions.status(task, fresh=True)
    assert world.calls(STATS) == 1


def test_status_of_a_task_deleted_since_the_listing_says_it_no_longer_exists(world: World) -> None:
    task = found(world.questions, "crm-cdc")
    assert world.sim.delete_task("crm-cdc")
    outcome = world.questions.status(task, fresh=True)
    assert isinstance(outcome, TaskError)
    assert (outcome.task_id, outcome.task_arn, outcome.error) == (
        "crm-cdc",
        task.task.arn,
        "task no longer exists",
    )


def test_verdicts_rechecks_only_the_tasks_missing_from_the_cache_and_keeps_the_order(world: World) -> None:
    ticks = Ticks()
    questions = cached_questions(world, ticks)
    known, missing = world.arn("billing-cdc"), world.arn("orders-cdc")
    questions.sweeps.sweep(only=(known,))
    world.sim.reset_counters()
    verdicts, errors = questions.verdicts([missing, known])
    assert [v.task.arn for v in verdicts] == [missing, known] and errors == []
    assert world.calls(STATS) == 1  # orders-cdc only
    world.sim.reset_counters()
    questions.verdicts([missing, known])
    assert world.sim.total_calls() == 0  # both cached now


def test_listing_problem_says_dms_throttled(make_world: MakeWorld) -> None:
    world = make_world(settings=watching_demo(max_attempts=1))
    world.sim.set_faults([FaultRule(kind="throttle", op=LIST)])
    problem = world.questions.listing_problem()
    assert problem is not None and problem.throttled
    assert "Throttl" in problem.detail or "throttl" in problem.detail


def test_listing_problem_says_dms_refused_with_its_reason(make_world: MakeWorld) -> None:
    world = make_world(settings=watching_demo(max_attempts=1))
    world.sim.set_faults([FaultRule(kind="access_denied", op=LIST, message="no dms:Describe* for you")])
    problem = world.questions.listing_problem()
    assert problem is not None and not problem.throttled
    assert "no dms:Describe* for you" in problem.detail


def test_listing_problem_is_none_once_tasks_are_known_and_asks_dms_nothing(world: World) -> None:
    world.sweeps.sweep()
    world.sim.reset_counters()
    world.sim.set_faults([FaultRule(kind="throttle", op=LIST)])
    assert world.questions.listing_problem() is None
    assert world.sim.total_calls() == 0


def test_listing_problem_is_none_when_dms_lists_fine(world: World) -> None:
    assert world.questions.listing_problem() is None


def test_history_reads_the_last_sweeps_of_the_task_oldest_first(world: World) -> None:
    for _ in range(3):
        world.clock.advance(minutes=15)
        world.store.record_sweep(world.sweeps.sweep())
    task = found(world.questions, "billing-cdc").task
    history = world.questions.history(task, sweeps=2)
    rows = history.rows
    assert history.timezone == "UTC"
    assert [r.checked_at for r in rows] == [world.clock() - timedelta(minutes=15), world.clock()]
    assert {(r.task_id, r.verdict) for r in rows} == {("billing-cdc", "failure")}


def test_home_reads_verdicts_alerts_snoozes_and_the_last_sweep_from_the_store(world: World) -> None:
    assert world.questions.home().last_sweep is None
    world.sweep()
    arn = world.arn("billing-cdc")
    world.incidents.snooze(arn, user="U0BOB", hours=4)
    world.clock.advance(minutes=1)
    home = world.questions.home()
    assert home.now == world.clock()
    assert sorted(r.task_id for r in home.verdicts) == [
        "billing-cdc",
        "crm-cdc",
        "inventory-cdc",
        "orders-cdc",
    ]
    assert [a.task_id for a in home.alerts if a.open] == ["billing-cdc"]
    assert list(home.snoozes) == [arn]
    assert home.last_sweep is not None and home.last_sweep.failure == 1


def test_tables_pages_filter_by_state_and_come_from_the_cache_within_cache_ttl(world: World) -> None:
    ticks = Ticks()
    questions = cached_questions(world, ticks)
    task = found(questions, "billing-cdc")
    world.sim.reset_counters()
    problems = questions.tables(task, state=PROBLEMS, page=0)
    assert [t.table for t in problems.tables] == ["invoices"] and problems.total == 1
    everything = questions.tables(task, state=None, page=5, page_size=1)
    assert (everything.page, everything.total, [t.table for t in everything.tables]) == (1, 2, ["payments"])
    assert world.calls(STATS) == 1  # the second page came from the cache
    ticks.now += 61
    questions.tables(task, state=None, page=0)
    assert world.calls(STATS) == 2


@pytest.mark.parametrize("listed", [True, False])
def test_is_watched_refuses_a_forged_arn_and_spends_no_dms_call_once_tasks_are_known(
    world: World, listed: bool
) -> None:
    if listed:
        world.sweeps.list_tasks()
    world.sim.reset_counters()
    assert world.questions.is_watched(UNKNOWN_ARN) is False
    assert world.calls(LIST) == (0 if listed else 1)
    assert world.questions.is_watched(world.arn("crm-cdc")) is True


def with_target_databases() -> Scenario:
    """orders-cdc writes to a PostgreSQL target the bot may read; lonely-cdc's target is not configured."""
    mismatched = table("sales", "orders", validation_state="Mismatched records", failed_records=7)
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [
                {"id": name, "migration_type": "cdc", "target_endpoint": f"{name}-pg", "tables": [mismatched]}
                for name in ("orders-cdc", "lonely-cdc")
            ],
            "endpoints": [
                {"id": f"{name}-pg", "engine": "postgres"} for name in ("orders-cdc", "lonely-cdc")
            ],
        }
    )


@pytest.fixture
def pg_world(make_world: MakeWorld, postgres_target: FilledTarget) -> World:
    scenario = with_target_databases()
    url = Secret(postgres_target.url.render_as_string(hide_password=False))
    settings = replace(watching_demo(), databases=(DatabaseSettings(endpoint="orders-cdc-pg", url=url),))
    world = make_world(scenario, settings=settings)
    copy_rows(postgres_target, resource_id("task", "orders-cdc", REGION, scenario.account))
    return world


def test_failures_pages_newest_first_with_the_total_and_counts_of_every_row(pg_world: World) -> None:
    questions = pg_world.questions
    first = questions.failures(found(questions, "orders-cdc"), table=None, page=0, page_size=10)
    assert (first.endpoint, first.engine, first.number, first.per_page) == (
        "orders-cdc-pg",
        "postgres",
        0,
        10,
    )
    assert first.page.total == 15 and sum(first.page.by_type.values()) == 15
    assert [r.failure_time.minute for r in first.page.rows if r.failure_time] == [
        17,
        16,
        15,
        14,
        13,
        12,
        11,
        10,
        7,
        6,
    ]
    second = questions.failures(found(questions, "orders-cdc"), table=None, page=1, page_size=10)
    assert [r.failure_time.minute for r in second.page.rows if r.failure_time] == [5, 4, 3, 2, 1]


def test_failures_of_one_table_and_a_page_past_the_end_shows_the_last_page(pg_world: World) -> None:
    questions = pg_world.questions
    answer = questions.failures(found(questions, "orders-cdc"), table="sales.orders", page=99, page_size=4)
    assert answer.table == ("sales", "orders") and answer.page.total == 10
    assert answer.number == 2 and len(answer.page.rows) == 2
    assert {r.name for r in answer.page.rows} == {"sales.orders"}


def test_failures_of_a_task_whose_target_is_not_configured_is_one_clear_error(pg_world: World) -> None:
    with pytest.raises(TargetDbError, match="no database configured for endpoint lonely-cdc-pg"):
        pg_world.questions.failures(found(pg_world.questions, "lonely-cdc"), table=None, page=0)


def test_failures_with_no_database_configured_at_all_names_the_fix(world: World) -> None:
    with pytest.raises(TargetDbError) as raised:
        world.questions.failures(found(world.questions, "billing-cdc"), table=None, page=0)
    assert str(raised.value) == NO_DATABASES and raised.value.kind == "not_configured"
