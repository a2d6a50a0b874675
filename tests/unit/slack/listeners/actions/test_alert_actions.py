"""Acknowledge, Snooze and Revalidate buttons: parse the click, call Incidents once, reply with what
it says (the service's rules are tested in tests/unit/app)."""

from __future__ import annotations

import pytest

from bot.app.incidents import Snoozed
from bot.app.revalidation import Outcome, Refusal
from bot.render.buttons import SNOOZE_ACTIONS, Action
from bot.slack.listeners.actions.alert_actions import acknowledge, revalidate, snooze
from tests.support.simtools import T0
from tests.unit.slack.listeners.stubs import ARN, FORGED_ARN, USER, Wiring, click_body

SNOOZE_4H = SNOOZE_ACTIONS[1]


def test_acknowledge_calls_the_service_for_the_clicked_task_and_replies_nothing_when_it_worked() -> None:
    w = Wiring()
    w.click(acknowledge, click_body(Action.ACK, {"task": ARN}))
    assert w.incidents.called("acknowledge") == [((ARN,), {"user": USER})]
    assert w.respond.calls == []  # the alert message itself changes, through the outbox


def test_acknowledge_of_a_resolved_alert_tells_the_clicker_privately() -> None:
    w = Wiring()
    w.incidents.acknowledged = False
    w.click(acknowledge, click_body(Action.ACK, {"task": ARN}))
    reply = w.respond.only()
    assert "already resolved" in reply["text"]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False


def test_a_user_outside_allowed_users_is_denied_and_nothing_is_done() -> None:
    w = Wiring(allowed_users=("U0SOMEONE",))
    w.click(acknowledge, click_body(Action.ACK, {"task": ARN}))
    assert "not allowed" in w.respond.only()["text"]
    assert w.incidents.calls == [] and w.questions.calls == []


def test_a_click_in_a_channel_outside_allowed_channels_is_denied() -> None:
    w = Wiring(allowed_channels=("C0ELSEWHERE",))
    w.click(snooze, click_body(SNOOZE_4H, {"task": ARN, "hours": 4}))
    assert "not allowed" in w.respond.only()["text"] and w.incidents.calls == []


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"task": "arn:aws:dms:eu-west-1:1:task:X; DROP TABLE"}',
        '{"hours": 3, "task": "' + ARN + '"}',
        '{"nothing": "known"}',
    ],
)
def test_a_forged_button_value_is_refused_as_stale_and_nothing_is_done(value: str) -> None:
    w = Wiring()
    w.click(snooze, click_body(SNOOZE_4H, value))
    assert "not valid" in w.respond.only()["text"]
    assert w.incidents.calls == [] and w.questions.calls == []


def test_a_task_the_bot_does_not_watch_is_refused_and_the_service_is_not_called() -> None:
    w = Wiring()
    w.click(acknowledge, click_body(Action.ACK, {"task": FORGED_ARN}))
    assert "does not watch" in w.respond.only()["text"]
    assert w.questions.called("is_watched") == [((FORGED_ARN,), {})]
    assert w.incidents.calls == []


def test_snooze_passes_the_hours_from_the_value_and_replies_nothing_when_the_alert_shows_it() -> None:
    w = Wiring()
    w.click(snooze, click_body(SNOOZE_ACTIONS[2], {"task": ARN, "hours": 24}))
    assert w.incidents.called("snooze") == [((ARN,), {"user": USER, "hours": 24})]
    assert w.respond.calls == []


def test_snooze_without_an_open_alert_tells_the_clicker_until_when() -> None:
    w = Wiring()
    w.incidents.snoozed = Snoozed(until=T0, alert_open=False)
    w.click(snooze, click_body(SNOOZE_4H, {"task": ARN, "hours": 4}))
    reply = w.respond.only()
    assert f"<@{USER}>" in reply["text"] and "snoozed" in reply["text"]
    assert reply["response_type"] == "ephemeral"


def test_a_snooze_value_without_hours_does_nothing() -> None:
    w = Wiring()
    w.click(snooze, click_body(SNOOZE_4H, {"task": ARN}))
    assert w.incidents.calls == [] and w.respond.calls == []


@pytest.mark.parametrize(
    ("operators", "is_operator"), [((USER,), True), (("U0SOMEONE",), False), ((), False)]
)
def test_revalidate_tells_the_service_whether_the_clicker_is_an_operator(
    operators: tuple[str, ...], is_operator: bool
) -> None:
    w = Wiring(operators=operators)
    w.incidents.outcome = Outcome(tables=2, requests=1, in_thread=True)
    w.click(revalidate, click_body(Action.REVALIDATE, {"task": ARN}))
    assert w.incidents.called("revalidate") == [((ARN,), {"user": USER, "operator": is_operator})]


def test_revalidate_operator_through_a_user_group() -> None:
    w = Wiring(operators=("S0ONCALL",))
    w.client.groups = {"S0ONCALL": ["U0BOB", USER]}
    w.incidents.outcome = Outcome(tables=2, requests=1, in_thread=True)
    w.click(revalidate, click_body(Action.REVALIDATE, {"task": ARN}))
    assert w.incidents.called("revalidate")[0][1]["operator"] is True
    assert w.client.called("usergroups_users_list") == [((), {"usergroup": "S0ONCALL"})]


def test_revalidate_answered_in_the_alerts_thread_replies_nothing_to_the_clicker() -> None:
    w = Wiring(operators=(USER,))
    w.incidents.outcome = Outcome(tables=2, requests=1, in_thread=True)
    w.click(revalidate, click_body(Action.REVALIDATE, {"task": ARN}))
    assert w.respond.calls == []


def test_revalidate_without_an_alert_thread_tells_the_clicker_what_was_sent() -> None:
    w = Wiring(operators=(USER,))
    w.incidents.outcome = Outcome(tables=23, requests=3)
    w.click(revalidate, click_body(Action.REVALIDATE, {"task": ARN}))
    text = w.respond.only()["text"]
    assert "23 tables" in text and "3 ReloadTables requests" in text and f"<@{USER}>" in text


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome(refused=Refusal.NOT_OPERATOR), "configured operators"),
        (Outcome(refused=Refusal.JUST_SENT), "sent moments ago"),
        (Outcome(refused=Refusal.GONE), "no longer exists"),
        (Outcome(refused=Refusal.NOT_POSSIBLE, reason="the task is stopped"), "the task is stopped"),
        (Outcome(tables=3, requests=1, error="AccessDenied"), "AccessDenied"),
    ],
)
def test_each_revalidate_outcome_gets_its_own_ephemeral_answer(outcome: Outcome, expected: str) -> None:
    w = Wiring(operators=(USER,))
    w.incidents.outcome = outcome
    w.click(revalidate, click_body(Action.REVALIDATE, {"task": ARN}))
    reply = w.respond.only()
    assert expected in reply["text"] and reply["response_type"] == "ephemeral"


def test_a_service_failure_becomes_one_short_reply_not_an_exception() -> None:
    w = Wiring()
    w.incidents.raises = RuntimeError("database is on fire at /var/secret/path")
    w.click(acknowledge, click_body(Action.ACK, {"task": ARN}))
    text = w.respond.text()
    assert "Something went wrong handling that click" in text and "/var/secret" not in text
