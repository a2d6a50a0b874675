""" "Share in channel": re-run the command the answer came from and post it visibly, saying who shared."""

from __future__ import annotations

from bot.render.buttons import Action
from bot.slack.listeners.actions.share import share
from tests.unit.slack.listeners.stubs import FOUND, USER, Wiring, click_body


def test_share_reruns_the_command_from_the_cache_and_posts_it_in_the_channel() -> None:
    w = Wiring()
    w.click(share, click_body(Action.SHARE, {"command": "status billing-cdc"}))
    assert w.questions.called("find") == [(("billing-cdc",), {})]
    assert w.questions.called("status") == [((FOUND,), {"fresh": False})]
    reply = w.respond.only()
    assert reply["response_type"] == "in_channel"
    text = w.respond.text()
    assert "billing-cdc: failure" in text and f"Shared by <@{USER}>" in text
    assert "dms_share" not in text  # the shared copy has no Share button of its own


def test_share_of_the_fleet_status_shares_the_last_sweep() -> None:
    w = Wiring()
    w.click(share, click_body(Action.SHARE, {"command": "status"}))
    assert w.questions.methods == ["fleet"]
    assert "billing-cdc" in w.respond.text() and w.respond.only()["response_type"] == "in_channel"


def test_share_of_a_command_that_is_not_one_shares_the_help() -> None:
    w = Wiring()
    w.click(share, click_body(Action.SHARE, {"command": "drop everything"}))
    assert w.questions.calls == []
    assert "unknown command" in w.respond.text()


def test_share_by_a_user_not_allowed_is_denied_privately() -> None:
    w = Wiring(allowed_users=("U0SOMEONE",))
    w.click(share, click_body(Action.SHARE, {"command": "status billing-cdc"}))
    reply = w.respond.only()
    assert "not allowed" in reply["text"] and reply["response_type"] == "ephemeral"
    assert w.questions.calls == []


def test_share_with_a_forged_value_is_refused_as_stale() -> None:
    w = Wiring()
    w.click(share, click_body(Action.SHARE, '{"command": ' + '"' + "x" * 201 + '"}'))
    assert "not valid" in w.respond.only()["text"] and w.questions.calls == []
