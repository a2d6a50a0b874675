""" "Show tables" (problem tables of the button's tasks) and the Next/Previous page buttons."""

from __future__ import annotations

from bot.app.questions import NotFound
from bot.core.models import TaskError
from bot.errors import DmsError
from bot.render.buttons import Action
from bot.slack.listeners.actions.tables import show_tables, tables_page
from tests.unit.slack.listeners.stubs import ARN, FAILING, FORGED_ARN, FOUND, OTHER_ARN, Wiring, click_body


def test_show_tables_of_some_tasks_asks_for_their_verdicts_and_lists_the_problem_tables() -> None:
    w = Wiring()
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "tasks", "tasks": [ARN, OTHER_ARN]}))
    assert w.questions.called("verdicts") == [(([ARN, OTHER_ARN],), {})]
    reply = w.respond.only()
    assert "invoices" in w.respond.text() and reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False  # a new ephemeral message under the report


def test_show_tables_of_all_tasks_reads_the_last_sweep() -> None:
    w = Wiring()
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "all"}))
    assert w.questions.methods.count("fleet") == 1 and w.questions.called("verdicts") == []
    assert "invoices" in w.respond.text()


def test_a_task_that_could_not_be_checked_is_said_so_not_shown_as_healthy() -> None:
    w = Wiring()
    w.questions.verdict_answer = (
        [],
        [TaskError("demo", "billing-cdc", "connection reset", ARN, "unreachable")],
    )
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "task", "task": ARN}))
    text = w.respond.text()
    assert "connection reset" in text and "No problem tables" not in text


def test_checked_tasks_and_one_that_could_not_be_both_get_an_answer() -> None:
    w = Wiring()
    error = TaskError("demo", "orders-cdc", "connection reset", OTHER_ARN, "unreachable")
    w.questions.verdict_answer = ([FAILING], [error])
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "tasks", "tasks": [ARN, OTHER_ARN]}))
    assert len(w.respond.calls) == 2
    assert "invoices" in w.respond.text(0) and "connection reset" in w.respond.text(1)


def test_show_tables_when_dms_fails_is_one_short_error() -> None:
    w = Wiring()
    w.questions.raises = DmsError("DMS could not be reached")
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "task", "task": ARN}))
    assert "DMS could not be reached" in w.respond.only()["text"]


def test_show_tables_for_a_task_not_watched_is_refused() -> None:
    w = Wiring()
    w.click(show_tables, click_body(Action.SHOW_TABLES, {"scope": "task", "task": FORGED_ARN}))
    assert "does not watch" in w.respond.only()["text"] and w.questions.called("verdicts") == []


def test_a_page_button_asks_for_that_page_and_state_and_replaces_the_message() -> None:
    w = Wiring()
    w.click(
        tables_page, click_body(Action.TABLES_PAGE, {"task": ARN, "state": "Mismatched records", "page": 3})
    )
    assert w.questions.called("find") == [((ARN,), {})]
    assert w.questions.called("tables") == [((FOUND,), {"state": "Mismatched records", "page": 3})]
    reply = w.respond.only()
    assert reply["replace_original"] is True and "invoices" in w.respond.text()


def test_a_page_button_without_a_page_asks_for_the_first() -> None:
    w = Wiring()
    w.click(tables_page, click_body(Action.TABLES_PAGE, {"task": ARN}))
    assert w.questions.called("tables") == [((FOUND,), {"state": None, "page": 0})]


def test_a_page_button_of_a_task_that_is_gone_says_so_in_place() -> None:
    w = Wiring()
    w.questions.lookup = NotFound(ARN, ())
    w.click(tables_page, click_body(Action.TABLES_PAGE, {"task": ARN, "page": 1}))
    reply = w.respond.only()
    assert "no longer exists" in reply["text"] and reply["replace_original"] is True
    assert w.questions.called("tables") == []


def test_a_page_button_for_a_task_not_watched_is_refused() -> None:
    w = Wiring()
    w.click(tables_page, click_body(Action.TABLES_PAGE, {"task": FORGED_ARN, "page": 1}))
    assert "does not watch" in w.respond.only()["text"] and w.questions.called("find") == []


def test_a_page_button_with_an_out_of_range_page_is_refused_as_stale() -> None:
    w = Wiring()
    w.click(tables_page, click_body(Action.TABLES_PAGE, '{"task": "' + ARN + '", "page": -1}'))
    assert "not valid" in w.respond.only()["text"] and w.questions.calls == []
