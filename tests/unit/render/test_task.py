"""One-task messages: ``/dms status <task>``, table pages and problem tables, for any input."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.models import CdcLatency, TableStats, TaskError, TaskVerdict
from bot.render.buttons import Action
from bot.render.edits import rechecking_message, shared_message
from bot.render.help import ambiguous_task_message, unknown_task_message
from bot.render.task import problem_tables_message, tables_message, task_message
from tests.support.render.blockutil import all_text, buttons, value
from tests.support.render.hostile import HOSTILE, hostile_verdict
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, arn, error, failing, ok, table, task, verdict, warning
from tests.support.render.strategies import SETTINGS, errors, maybe_text, tables, text, verdicts

URL = "https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/orders-cdc"


def test_task_message_shows_verdict_evidence_and_link() -> None:
    """Status, verdict, reasons, state counts, problem tables and the console link are all there."""
    msg = task_message(failing("orders-cdc", 1))
    assert_safe(msg)
    text = all_text(msg)
    assert f"*<{URL}|orders-cdc>* · prod-eu" in text
    assert "*Verdict*\n:red_circle: failure" in text
    assert "*Status*\nrunning" in text
    assert "*Tables*\n5" in text
    assert "• 2 tables Mismatched records" in text
    assert "Validated 3 · Mismatched records 2" in text
    assert "• sales.bad1 — Mismatched records · failed 11" in text
    assert f"<{URL}|Open in the AWS console>" in text
    assert "As of <!date^1795683600^" in text
    assert msg.text == "orders-cdc: failure (running)"


def test_task_message_buttons_carry_the_task() -> None:
    """Re-check and Show tables name the task's ARN; Share re-runs ``status <task-id>``."""
    msg = task_message(failing("orders-cdc", 1))
    assert value(msg, "Re-check") == {"scope": "task", "task": arn(1)}
    assert value(msg, "Show tables") == {"scope": "task", "task": arn(1)}
    assert value(msg, "Share in channel") == {"command": "status orders-cdc"}
    assert [b["action_id"] for b in buttons(msg).values()] == [
        Action.RECHECK,
        Action.SHOW_TABLES,
        Action.SHARE,
    ]


def test_task_message_caps_problem_tables() -> None:
    """Up to 15 problem tables, then "…and N more"."""
    msg = task_message(failing("orders-cdc", 1, tables=40))
    assert_safe(msg)
    text = all_text(msg)
    assert text.count("— Mismatched records ·") == 15
    assert "…and 25 more problem tables" in text


def test_task_message_uses_cache_time_and_note() -> None:
    """A cached answer says when it is from, plus the caller's note (escaped)."""
    cached = NOW - timedelta(minutes=5)
    msg = task_message(ok("orders-cdc"), cached_at=cached, note="cached <5 min> old")
    assert_safe(msg)
    text = all_text(msg)
    assert f"As of <!date^{int(cached.timestamp())}^" in text
    assert "cached &lt;5 min&gt; old" in text


def test_task_error_message() -> None:
    """A task that could not be checked says so, with the error and a Re-check button."""
    msg = task_message(error("audit-cdc", 9, "AccessDeniedFault: <denied>"))
    assert_safe(msg)
    assert "*audit-cdc* (prod-eu) could not be checked:\nAccessDeniedFault: &lt;denied&gt;" in all_text(msg)
    assert value(msg, "Re-check") == {"scope": "task", "task": arn(9)}
    assert msg.text.startswith("audit-cdc: could not be checked")


def test_task_message_without_a_valid_arn_has_no_task_buttons() -> None:
    """An ARN a button could not carry means no Re-check/Show tables, but Share stays."""
    odd = verdict(task("odd", arn="arn:aws:dms:eu-west-1:1:task:X"), [table()])
    msg = task_message(odd)
    assert_safe(msg)
    assert list(buttons(msg)) == ["Share in channel"]


def rows(n: int) -> list[TableStats]:
    return [table(f"t{i}", "Mismatched records", failed=i) for i in range(n)]


@pytest.mark.parametrize(
    ("page", "total", "expected"),
    [
        (0, 10, ["Share in channel"]),
        (0, 50, ["Next", "Share in channel"]),
        (1, 50, ["Previous", "Next", "Share in channel"]),
        (2, 50, ["Previous", "Share in channel"]),
    ],
)
def test_tables_pagination_buttons(page: int, total: int, expected: list[str]) -> None:
    """Previous/Next appear only where there is a previous/next page."""
    msg = tables_message(task(), rows(min(20, total - page * 20)), state=None, page=page, total=total)
    assert_safe(msg)
    assert list(buttons(msg)) == expected
    pages = -(-total // 20)
    assert f"page {page + 1} of {pages}" in all_text(msg)


def test_tables_page_values_keep_task_state_and_page() -> None:
    """Next/Previous values decode to the task ARN, the state filter and the target page."""
    msg = tables_message(task(), rows(20), state="Mismatched records", page=1, total=60)
    assert value(msg, "Next") == {"task": arn(1), "state": "Mismatched records", "page": 2}
    assert value(msg, "Previous") == {"task": arn(1), "state": "Mismatched records", "page": 0}
    assert buttons(msg)["Next"]["action_id"] == Action.TABLES_PAGE
    assert value(msg, "Share in channel") == {"command": "tables orders-cdc Mismatched records"}
    assert "60 tables in state *Mismatched records* · page 2 of 3" in all_text(msg)


def test_tables_rows_show_states_and_counts() -> None:
    """Each row: name, validation state, table state, failed/suspended/pending."""
    msg = tables_message(
        task(), [table("orders", "Mismatched records", failed=3, pending=2)], state=None, page=0, total=1
    )
    assert (
        "• *sales.orders* — Mismatched records · Table completed · failed 3 · suspended 0 · pending 2"
        in all_text(msg)
    )


def test_tables_empty_state() -> None:
    """No matching tables says so instead of an empty list."""
    msg = tables_message(task(), [], state="Table error", page=0, total=0)
    assert_safe(msg)
    assert "No tables in state *Table error*." in all_text(msg)


def test_problem_tables_per_task() -> None:
    """ "Show tables" lists each problem task's tables, worst task first; healthy tasks left out."""
    msg = problem_tables_message([ok("fine", 1), failing("small", 2, tables=1), failing("big", 3, tables=3)])
    assert_safe(msg)
    text = all_text(msg)
    assert text.index("|big>") < text.index("|small>")
    assert "fine" not in text
    assert "— 3 problem tables" in text


def test_problem_tables_none() -> None:
    """Nothing wrong: a short all-clear instead of an empty message."""
    msg = problem_tables_message([ok(), warning()])
    assert_safe(msg)
    assert "No problem tables" in all_text(msg)


def test_odd_state_filter_is_not_echoed_into_buttons() -> None:
    """A state that is not plain text shows this page only: no Next/Share carrying it."""
    msg = tables_message(task(), rows(20), state="<!channel>", page=0, total=60)
    assert_safe(msg)
    assert buttons(msg) == {}
    assert "in state *&lt;!channel&gt;*" in all_text(msg)


def test_share_names_an_odd_task_by_arn() -> None:
    """An identifier that is not a plain DMS one is shared by ARN instead."""
    msg = task_message(verdict(task("orders cdc <x>"), [table()]))
    assert value(msg, "Share in channel") == {"command": f"status {arn(1)}"}


def test_every_one_task_message_for_hostile_names() -> None:
    """Task status, table pages, suggestions and transformations of each hostile name are safe."""
    for i, name in enumerate(HOSTILE):
        v = hostile_verdict(i, name)
        answer = task_message(v, note=name)
        assert_safe(answer)
        assert_safe(shared_message(answer, user_id=name), users=[])
        assert_safe(rechecking_message(answer, user_id=name, at=NOW), users=[])
        rows = [table(name + str(j), name, name, schema=name) for j in range(20)]
        assert_safe(tables_message(v.task, rows, state=name, page=1, total=100))
        assert_safe(unknown_task_message(name, [name] * 20))
        assert_safe(ambiguous_task_message(name, [name] * 20))
        error = TaskError(target=name, task_id=name, error=name, task_arn=name)
        assert_safe(task_message(error, note=name))


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


def test_status_shows_the_cdc_lag_when_cloudwatch_knew_it() -> None:
    lagging = replace(failing(), cdc_latency=CdcLatency(source_seconds=4, target_seconds=4320))
    assert "CDC lag" not in all_text(task_message(failing()))
    text = all_text(task_message(lagging))
    assert "*CDC lag*" in text and "source 4s, target 1h 12m" in text
    only_target = replace(failing(), cdc_latency=CdcLatency(source_seconds=None, target_seconds=30))
    assert "target 30s" in all_text(task_message(only_target))
