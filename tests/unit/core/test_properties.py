"""Properties of the policy that must hold for any input (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.evaluate import KNOWN_VALIDATION_STATES, evaluate
from bot.core.models import Policy, PolicyMode, Report, TableStats, Task, Verdict
from bot.core.parse import to_table_stats, to_task
from bot.core.report import to_document

NOW = datetime(2026, 11, 26, tzinfo=UTC)
VALIDATION_STATES = list(KNOWN_VALIDATION_STATES)
TABLE_STATES = [
    "Table does not exist",
    "Before load",
    "Full load",
    "Table completed",
    "Table cancelled",
    "Table error",
    "Table is being reloaded",
]
STATUSES = ["running", "failed", "stopped", "ready", "creating", "starting", "stopping", "failed-move"]

counts = st.integers(min_value=0, max_value=10**9)
tables = st.builds(
    TableStats,
    schema=st.text(max_size=20),
    table=st.text(max_size=20),
    table_state=st.one_of(st.none(), st.sampled_from(TABLE_STATES), st.text(max_size=20)),
    validation_state=st.one_of(st.none(), st.sampled_from(VALIDATION_STATES), st.text(max_size=20)),
    failed_records=counts,
    suspended_records=counts,
    pending_records=counts,
)
tasks = st.builds(
    Task,
    identifier=st.text(min_size=1, max_size=30),
    arn=st.just("arn:aws:dms:eu-west-1:123456789012:task:X"),
    status=st.one_of(st.sampled_from(STATUSES), st.text(max_size=12)),
    migration_type=st.sampled_from(["cdc", "full-load", "full-load-and-cdc", ""]),
    stop_reason=st.one_of(st.none(), st.just("Stop Reason FULL_LOAD_ONLY_FINISHED"), st.text(max_size=20)),
    last_failure_message=st.one_of(st.none(), st.text(max_size=40)),
)
caps = st.integers(min_value=1, max_value=20)


@given(tasks, st.lists(tables, max_size=30))
def test_failed_or_suspended_records_are_never_ok(task: Task, table_list: list[TableStats]) -> None:
    """A task with any table having failed or suspended records is a failure."""
    verdict = evaluate(task, table_list, now=NOW)
    if any(t.failed_records or t.suspended_records for t in table_list):
        assert verdict.verdict is Verdict.FAILURE


@given(tasks, st.lists(tables, max_size=30), caps)
def test_strict_is_never_more_lenient(task: Task, table_list: list[TableStats], cap: int) -> None:
    """Strict mode never gives a better verdict than default mode."""
    default = evaluate(task, table_list, now=NOW, policy=Policy(problem_table_cap=cap))
    strict = evaluate(task, table_list, now=NOW, policy=Policy(mode=PolicyMode.STRICT, problem_table_cap=cap))
    assert strict.verdict >= default.verdict


@given(tasks, st.lists(tables, max_size=40), caps)
def test_counts_and_cap_hold(task: Task, table_list: list[TableStats], cap: int) -> None:
    """Counts add up to the table total; kept problem tables never exceed the cap or the true total."""
    v = evaluate(task, table_list, now=NOW, policy=Policy(problem_table_cap=cap))
    assert sum(v.by_validation_state.values()) == v.tables_total == len(table_list)
    assert len(v.problem_tables) == min(cap, v.problem_tables_total)
    assert v.verdict >= max([Verdict.OK, *(p.verdict for p in v.problem_tables)])
    assert (v.verdict is Verdict.OK) == (not v.reasons)


@given(tasks, st.lists(tables, max_size=10))
def test_unknown_states_never_silently_ok(task: Task, table_list: list[TableStats]) -> None:
    """A table in a state the bot does not know makes the task at least a warning."""
    known_v, known_t = {s.casefold() for s in VALIDATION_STATES}, {s.casefold() for s in TABLE_STATES}
    odd = any(
        t.validation_state is None
        or t.validation_state.casefold() not in known_v
        or t.table_state is None
        or t.table_state.casefold() not in known_t
        for t in table_list
    )
    if odd:
        assert evaluate(task, table_list, now=NOW).verdict >= Verdict.WARNING


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=30), st.one_of(st.none(), st.integers(), st.text(), st.floats())))
def test_parsing_never_raises(raw: dict[str, object]) -> None:
    """Any dict (missing fields, wrong types) parses into a task and a table without raising."""
    to_task(raw)
    to_table_stats(raw)


@given(st.lists(st.tuples(tasks, st.lists(tables, max_size=5)), max_size=5))
def test_report_status_is_success_only_without_failures(items: list[tuple[Task, list[TableStats]]]) -> None:
    """The document's status is "success" exactly when no task failed and nothing errored."""
    report = Report(checked_at=NOW, tasks=tuple(evaluate(t, ts, now=NOW) for t, ts in items))
    doc = to_document(report)
    assert (doc["status"] == "success") == all(v.verdict is not Verdict.FAILURE for v in report.tasks)
    assert doc["summary"]["tasks"] == len(items)
