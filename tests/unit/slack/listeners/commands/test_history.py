"""``/dms history <task>``: the task's recent verdicts as a chart (uploaded to the channel) and
the numbers beside it; an upload Slack refuses still leaves the numbers."""

from __future__ import annotations

from bot.app.questions import Ambiguous, NotFound
from bot.core.slash import Command
from bot.slack.listeners.commands.history import HISTORY_SWEEPS, answer_history
from tests.unit.slack.listeners.stubs import CHANNEL, TASK, Wiring, slack_error

HISTORY = Command("history", task="billing-cdc")


def run(w: Wiring, *, command: Command = HISTORY, channel_id: str | None = CHANNEL) -> None:
    answer_history(
        command=command,
        respond=w.respond.as_respond,
        client=w.client.as_web_client,
        deps=w.deps,
        channel_id=channel_id,
    )


def test_history_uploads_the_chart_to_the_channel_then_answers_with_the_numbers() -> None:
    w = Wiring()
    run(w)
    assert w.questions.called("history") == [((TASK,), {"sweeps": HISTORY_SWEEPS})]
    [(_, upload)] = w.client.called("files_upload_v2")
    assert upload["channel"] == CHANNEL and upload["filename"] == "billing-cdc-history.png"
    assert upload["content"].startswith(b"\x89PNG") and "billing-cdc" in upload["alt_txt"]
    reply = w.respond.only()
    assert "billing-cdc" in reply["text"] and reply["response_type"] == "ephemeral"


def test_history_without_rows_uploads_nothing_and_says_there_is_no_history() -> None:
    w = Wiring()
    w.questions.rows = []
    run(w)
    assert w.client.calls == []
    assert "billing-cdc" in w.respond.only()["text"]


def test_history_outside_a_channel_answers_with_the_numbers_only() -> None:
    w = Wiring()
    run(w, channel_id=None)
    assert w.client.calls == [] and len(w.respond.calls) == 1


def test_a_bot_not_in_the_channel_is_told_to_invite_it_and_still_gets_the_numbers() -> None:
    w = Wiring()
    w.client.fail["files_upload_v2"] = slack_error("files.uploadV2", "not_in_channel")
    run(w)
    assert len(w.respond.calls) == 2
    assert "invite the bot to this channel" in w.respond.text(0)
    assert "billing-cdc" in w.respond.text(1)


def test_any_other_upload_refusal_is_named_and_the_numbers_follow() -> None:
    w = Wiring()
    w.client.fail["files_upload_v2"] = slack_error("files.uploadV2", "missing_scope")
    run(w)
    assert "missing_scope" in w.respond.text(0) and "the numbers follow" in w.respond.text(0)
    assert len(w.respond.calls) == 2


def test_an_unknown_task_gets_the_close_names_and_no_history_is_read() -> None:
    w = Wiring()
    w.questions.lookup = NotFound("biling-cdc", ("billing-cdc",))
    run(w, command=Command("history", task="biling-cdc"))
    assert "No task called" in w.respond.only()["text"]
    assert w.questions.called("history") == [] and w.client.calls == []


def test_an_ambiguous_name_lists_the_candidates_and_no_history_is_read() -> None:
    w = Wiring()
    w.questions.lookup = Ambiguous("billing", ("billing-archive", "billing-cdc"))
    run(w, command=Command("history", task="billing"))
    assert "billing-archive" in w.respond.only()["text"] and w.questions.called("history") == []
