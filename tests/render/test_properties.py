"""Properties over arbitrary Unicode input: every renderer returns a valid, inert message."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.models import Report, TableStats, TaskError, TaskVerdict
from bot.render.blocks import (
    ambiguous_task_message,
    error_message,
    fleet_message,
    problem_tables_message,
    rechecking_message,
    report_message,
    shared_message,
    tables_message,
    task_message,
    unknown_task_message,
)
from bot.render.blocks_text import blocks_to_text
from tests.render.limits import assert_safe
from tests.render.sample import NOW, USER, arn, table, task, verdict
from tests.render.test_hostile import HOSTILE

CHARS = st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Z", "C"])
text = st.one_of(
    st.text(alphabet=CHARS, max_size=40),
    st.sampled_from(HOSTILE),
    st.text(alphabet=CHARS, min_size=1, max_size=3).map(lambda s: s * 1200),
)
maybe_text = st.none() | text
counts = st.integers(min_value=0, max_value=10**12)
tables = st.builds(
    table,
    name=text,
    validation=maybe_text,
    state=maybe_text,
    schema=text,
    failed=counts,
    suspended=counts,
    pending=counts,
    details=maybe_text,
)


@st.composite
def verdicts(draw: st.DrawFn) -> TaskVerdict:
    n = draw(st.integers(min_value=0, max_value=999))
    t = task(
        draw(text),
        n=n,
        status=draw(text),
        last_failure_message=draw(maybe_text),
        stop_reason=draw(maybe_text),
        arn=draw(st.sampled_from([arn(n), arn(n), "arn:aws:dms:<!x>|:1:task:Z"])),
    )
    return verdict(t, draw(st.lists(tables, max_size=6)), target=draw(text))


errors = st.builds(
    TaskError, target=text, task_id=maybe_text, error=text, task_arn=st.none() | st.just(arn(7)) | text
)
fleets = st.builds(
    lambda tasks, errs: Report(checked_at=NOW, tasks=tuple(tasks), errors=tuple(errs)),
    st.lists(verdicts(), max_size=6),
    st.lists(errors, max_size=3),
)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(fleets, text)
def test_fleet_renderers_are_valid_and_inert(report: Report, clicker: str) -> None:
    """Report, fleet, problem tables and re-checking views hold Slack's limits for any input."""
    rechecked = report_message(report, rechecked_by=USER, rechecked_at=NOW)
    assert_safe(rechecked, users=[USER])
    assert_safe(report_message(report))
    assert_safe(fleet_message(report))
    assert_safe(problem_tables_message(report.tasks))
    assert_safe(rechecking_message(rechecked, user_id=clicker, at=NOW), users=[USER, clicker])
    assert "<!date^" not in blocks_to_text(rechecked)


@SETTINGS
@given(verdicts() | errors, maybe_text, text)
def test_task_renderers_are_valid_and_inert(
    outcome: TaskVerdict | TaskError, note: str | None, clicker: str
) -> None:
    """``status <task>`` and its shared copy hold Slack's limits for any input."""
    answer = task_message(outcome, cached_at=NOW, note=note)
    assert_safe(answer)
    assert_safe(shared_message(answer, user_id=clicker), users=[clicker])


@SETTINGS
@given(verdicts(), st.lists(tables, max_size=25), maybe_text, st.integers(-5, 20), st.integers(-5, 500))
def test_tables_message_is_valid_and_inert(
    v: TaskVerdict,
    rows: list[TableStats],
    state: str | None,
    page: int,
    total: int,
) -> None:
    """``tables <task> [state]`` pages hold Slack's limits for any rows, state, page and total."""
    assert_safe(tables_message(v.task, rows, state=state, page=page, total=total))


@SETTINGS
@given(text, st.lists(text, max_size=30))
def test_short_answers_are_valid_and_inert(name: str, names: list[str]) -> None:
    """Unknown/ambiguous task, errors and progress lines hold Slack's limits for any input."""
    assert_safe(unknown_task_message(name, names))
    assert_safe(ambiguous_task_message(name, names))
    assert_safe(error_message(name, data_from=NOW))
