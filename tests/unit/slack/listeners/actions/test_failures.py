""" "Failed rows" on an alert and the Previous/Next buttons of ``/dms failures``."""

from __future__ import annotations

import json

from bot.app.questions import NotFound
from bot.errors import TargetDbError
from bot.render.buttons import Action, decode_value
from bot.slack.listeners.actions.failures import failed_rows, failures_page
from tests.support.render.limits import assert_safe
from tests.unit.slack.listeners.stubs import ARN, FORGED_ARN, FOUND, Wiring, click_body, ephemeral


def buttons(reply: dict) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_failed_rows_answers_ephemerally_with_the_first_page_of_the_task() -> None:
    w = Wiring()
    w.click(failed_rows, click_body(Action.FAILED_ROWS, {"task": ARN}))
    assert w.questions.called("find") == [((ARN,), {})]
    assert w.questions.called("failures") == [((FOUND,), {"table": None, "page": 0})]
    reply = w.respond.only()
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert_safe(reply)
    text = w.respond.text()
    assert "25 failed rows: 20 values differ, 5 missing on the target" in text
    assert "billing-target" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert decode_value(buttons(reply)["Next"]["value"]) == {"task": ARN, "page": 1}
    assert decode_value(buttons(reply)["Share in channel"]["value"]) == {"command": "failures billing-cdc"}


def test_a_page_button_replaces_the_answer_with_that_page_of_that_table() -> None:
    w = Wiring()
    w.click(
        failures_page,
        ephemeral(click_body(Action.FAILURES_PAGE, {"task": ARN, "page": 2, "table": "billing.invoices"})),
    )
    assert w.questions.called("failures") == [((FOUND,), {"table": "billing.invoices", "page": 2})]
    reply = w.respond.only()
    assert reply["replace_original"] is True
    assert "page 3 of 3" in w.respond.text()
    assert set(buttons(reply)) == {"Previous", "Share in channel"}


def test_a_database_that_cannot_be_read_is_one_honest_line_not_an_empty_list() -> None:
    w = Wiring()
    w.questions.raises = TargetDbError("connection refused by pg.internal:5432", kind="unreachable")
    w.click(failed_rows, click_body(Action.FAILED_ROWS, {"task": ARN}))
    reply = w.respond.only()
    assert reply["text"] == (
        ":warning: Failed rows of billing-cdc could not be read: connection refused by pg.internal:5432"
    )
    assert "no failed rows" not in w.respond.text()


def test_failed_rows_for_a_task_not_watched_is_refused_without_a_question() -> None:
    for listener, action in ((failed_rows, Action.FAILED_ROWS), (failures_page, Action.FAILURES_PAGE)):
        w = Wiring()
        w.click(listener, click_body(action, {"task": FORGED_ARN, "page": 1}))
        assert "does not watch" in w.respond.only()["text"]
        assert w.questions.called("failures") == [] and w.questions.called("find") == []


def test_a_forged_table_value_is_rejected_as_stale() -> None:
    w = Wiring()
    raw = json.dumps({"task": ARN, "page": 1, "table": "sales.<!channel>"})
    w.click(failures_page, click_body(Action.FAILURES_PAGE, raw))
    assert "not valid" in w.respond.only()["text"] and w.questions.calls == []


def test_a_task_gone_since_the_button_was_made_is_said() -> None:
    w = Wiring()
    w.questions.lookup = NotFound(ARN, ())
    w.click(failed_rows, click_body(Action.FAILED_ROWS, {"task": ARN}))
    assert "no longer exists" in w.respond.only()["text"] and w.questions.called("failures") == []


def test_a_user_outside_the_allowed_list_is_denied() -> None:
    w = Wiring(allowed_users=("U0SOMEONE",))
    w.click(failed_rows, click_body(Action.FAILED_ROWS, {"task": ARN}))
    assert "not allowed" in w.respond.only()["text"] and w.questions.calls == []
