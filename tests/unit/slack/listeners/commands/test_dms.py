"""``/dms``: parse the text, check access, ask Questions once, render, answer through response_url
(always ephemeral: the Share button makes it public)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app.questions import NO_DATABASES, Ambiguous, ListingProblem, NotFound
from bot.core.models import TaskError
from bot.errors import DmsError, TargetDbError
from bot.slack.listeners.commands.dms import dms_command
from tests.support.fakes.slack_payloads import slash_command_body
from tests.unit.slack.listeners.stubs import ARN, CHANNEL, FOUND, TASK, USER, Wiring


def run(w: Wiring, text: str, **kw: Any) -> None:
    kw.setdefault("user_id", USER)
    kw.setdefault("channel_id", CHANNEL)
    body = slash_command_body(text=text, **kw)
    dms_command(body=body, respond=w.respond.as_respond, client=w.client.as_web_client, deps=w.deps)


@pytest.mark.parametrize("text", ["", "help", "   "])
def test_help_answers_without_asking_any_service(text: str) -> None:
    w = Wiring()
    run(w, text)
    assert w.questions.calls == []
    reply = w.respond.only()
    assert reply["text"].startswith("DMS bot commands") and reply["response_type"] == "ephemeral"


def test_an_unknown_subcommand_shows_the_help_with_the_problem() -> None:
    w = Wiring()
    run(w, "reboot billing-cdc")
    assert "unknown command" in w.respond.text() and w.questions.calls == []


@pytest.mark.parametrize(("text", "fresh"), [("status billing-cdc", False), ("check billing-cdc", True)])
def test_status_answers_from_the_cache_and_check_asks_for_a_fresh_verdict(text: str, fresh: bool) -> None:
    w = Wiring()
    run(w, text)
    assert w.questions.called("find") == [(("billing-cdc",), {})]
    assert w.questions.called("status") == [((FOUND,), {"fresh": fresh})]
    assert "billing-cdc: failure" in w.respond.only()["text"]


def test_status_of_every_task_is_the_fleet_and_check_of_every_task_a_recheck() -> None:
    w = Wiring()
    run(w, "status")
    run(w, "check")
    assert w.questions.methods == ["fleet", "recheck"]
    assert w.questions.called("recheck") == [((None,), {})]
    assert all("billing-cdc" in w.respond.text(i) for i in (0, 1))


def test_tables_asks_for_the_first_page_in_the_named_state() -> None:
    w = Wiring()
    run(w, "tables billing-cdc mismatched")
    assert w.questions.called("tables") == [((FOUND,), {"state": "Mismatched records", "page": 0})]
    assert "invoices" in w.respond.text()


def test_an_unknown_task_gets_the_close_names() -> None:
    w = Wiring()
    w.questions.lookup = NotFound("biling-cdc", ("billing-cdc",))
    run(w, "status biling-cdc")
    text = w.respond.only()["text"]
    assert "No task called" in text and "billing-cdc" in text
    assert w.questions.called("status") == []


def test_an_unknown_task_while_dms_throttles_the_listing_says_dms_is_throttling() -> None:
    w = Wiring()
    w.questions.lookup = NotFound("billing-cdc", ())
    w.questions.problem = ListingProblem(throttled=True, detail="ThrottlingException: Rate exceeded")
    run(w, "status billing-cdc")
    text = w.respond.only()["text"]
    assert "throttling" in text and "Rate exceeded" in text and "No task called" not in text


def test_an_unknown_task_while_dms_refuses_the_listing_gives_dms_reason() -> None:
    w = Wiring()
    w.questions.lookup = NotFound("billing-cdc", ())
    w.questions.problem = ListingProblem(throttled=False, detail="AccessDeniedException: not allowed")
    run(w, "status billing-cdc")
    assert "could not list" in w.respond.only()["text"] and "AccessDeniedException" in w.respond.text()


def test_an_ambiguous_name_lists_the_candidates() -> None:
    w = Wiring()
    w.questions.lookup = Ambiguous("billing", ("billing-archive", "billing-cdc"))
    run(w, "status billing")
    text = w.respond.only()["text"]
    assert "billing-archive" in text and "billing-cdc" in text and "2 tasks" in text


def test_a_throttled_check_shows_the_last_sweeps_verdict_labelled_as_such() -> None:
    w = Wiring()
    w.questions.outcome = TaskError("demo", "billing-cdc", "Rate exceeded", ARN, "ThrottlingException")
    run(w, "check billing-cdc")
    assert w.questions.called("last_verdict") == [((ARN,), {})]
    text = w.respond.text()
    assert "billing-cdc: failure" in text and "last sweep" in text


def test_dms_failing_is_one_short_error_message() -> None:
    w = Wiring()
    w.questions.raises = DmsError("DMS could not be reached (connect timeout)")
    run(w, "check billing-cdc")
    assert "DMS could not be reached" in w.respond.only()["text"]


def test_a_bug_in_a_service_is_one_line_for_the_user_not_a_dead_thread() -> None:
    w = Wiring()
    w.questions.raises = RuntimeError("secret internals")
    run(w, "status billing-cdc")
    text = w.respond.text()
    assert "Something went wrong answering that" in text and "secret internals" not in text


@pytest.mark.parametrize(
    ("access", "who"),
    [({"allowed_users": ("U0SOMEONE",)}, {}), ({"allowed_channels": ("C0ELSEWHERE",)}, {})],
)
def test_users_or_channels_outside_the_allow_lists_are_denied_before_any_question(
    access: dict[str, Any], who: dict[str, Any]
) -> None:
    w = Wiring(**access)
    run(w, "status billing-cdc", **who)
    assert "not allowed" in w.respond.only()["text"] and w.questions.calls == []


def test_history_is_handed_to_the_history_answer() -> None:
    w = Wiring()
    run(w, "history billing-cdc")
    assert w.questions.called("history") == [((TASK,), {"sweeps": 48})]
    assert [k["channel"] for _, k in w.client.called("files_upload_v2")] == [CHANNEL]


def test_failures_asks_for_the_first_page_of_the_named_table_and_answers_ephemerally() -> None:
    w = Wiring()
    run(w, "failures billing-cdc billing.invoices")
    assert w.questions.called("failures") == [((FOUND,), {"table": "billing.invoices", "page": 0})]
    reply = w.respond.only()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("billing-cdc: 25 failed rows: 20 values differ")


def test_failures_with_no_database_configured_is_one_line_naming_the_fix() -> None:
    w = Wiring()
    w.questions.raises = TargetDbError(NO_DATABASES, kind="not_configured")
    run(w, "failures billing-cdc")
    assert w.respond.only()["text"] == (
        ":warning: Failed rows of billing-cdc could not be read: no target database is configured "
        "for row-level failures: see [[databases]] in the README"
    )


def test_failures_with_a_bad_table_name_shows_help_without_asking() -> None:
    w = Wiring()
    run(w, "failures billing-cdc invoices")
    assert "not a schema.table name" in w.respond.text() and w.questions.calls == []
