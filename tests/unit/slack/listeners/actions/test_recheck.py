""" "Re-check": show that a re-check runs, ask Questions for a fresh check of the button's tasks,
then show the result in place (chat.update for channel posts, response_url for ephemeral ones), or
hand it to Incidents when the message is the task's alert."""

from __future__ import annotations

import json

from bot.core.models import Report
from bot.errors import DmsThrottled
from bot.render.buttons import Action
from bot.slack.listeners.actions.recheck import recheck
from tests.unit.slack.listeners.stubs import (
    ARN,
    CHANNEL,
    FAILING,
    FORGED_ARN,
    OTHER_ARN,
    USER,
    Wiring,
    click_body,
    ephemeral,
)

TS = "1700000000.000100"


def shown(w: Wiring) -> list[str]:
    """What each chat.update put on the message, as searchable text."""
    return [f"{k['text']} {json.dumps(k['blocks'])}" for _, k in w.client.called("chat_update")]


def test_recheck_of_all_tasks_asks_for_everything_and_updates_the_channel_message_twice() -> None:
    w = Wiring()
    w.click(recheck, click_body(Action.RECHECK, {"scope": "all"}, message_ts=TS))
    assert w.questions.called("recheck") == [((None,), {})]
    updates = w.client.called("chat_update")
    assert [(k["channel"], k["ts"]) for _, k in updates] == [(CHANNEL, TS), (CHANNEL, TS)]
    first, result = shown(w)
    assert "Re-checking" in first and f"<@{USER}>" in first
    assert "1 task failing (billing-cdc)" in result and f"re-checked by <@{USER}>" in result
    assert w.respond.calls == []


def test_recheck_on_an_ephemeral_message_replaces_it_through_response_url() -> None:
    w = Wiring()
    w.click(recheck, ephemeral(click_body(Action.RECHECK, {"scope": "tasks", "tasks": [ARN, OTHER_ARN]})))
    assert w.questions.called("recheck") == [(([ARN, OTHER_ARN],), {})]
    assert w.client.called("chat_update") == []
    assert [c["replace_original"] for c in w.respond.calls] == [True, True]
    assert "Re-checking" in w.respond.text(0)


def test_recheck_of_one_task_shows_its_verdict_with_who_asked() -> None:
    w = Wiring()
    w.questions.report = Report(checked_at=FAILING.checked_at, tasks=(FAILING,))
    w.click(recheck, click_body(Action.RECHECK, {"scope": "task", "task": ARN}, message_ts=TS))
    assert w.questions.called("recheck") == [(([ARN],), {})]
    assert w.incidents.called("is_alert_message") == [((ARN, TS), {})]
    result = shown(w)[-1]
    assert "billing-cdc: failure" in result and "Re-checked by" in result and USER in result


def test_recheck_of_one_task_mentions_who_asked() -> None:
    w = Wiring()
    w.questions.report = Report(checked_at=FAILING.checked_at, tasks=(FAILING,))
    w.click(recheck, click_body(Action.RECHECK, {"scope": "task", "task": ARN}, message_ts=TS))
    assert f"Re-checked by <@{USER}>" in shown(w)[-1]


def test_recheck_by_a_forged_user_id_is_shown_escaped_not_as_a_mention() -> None:
    w = Wiring()
    w.questions.report = Report(checked_at=FAILING.checked_at, tasks=(FAILING,))
    w.click(
        recheck,
        click_body(Action.RECHECK, {"scope": "task", "task": ARN}, message_ts=TS, user_id="<!channel>"),
    )
    assert "<!channel>" not in shown(w)[-1]


def test_recheck_on_the_alert_message_hands_the_result_to_incidents_and_does_not_overwrite_it() -> None:
    w = Wiring()
    w.incidents.alert_message = True
    w.questions.report = Report(checked_at=FAILING.checked_at, tasks=(FAILING,))
    w.click(recheck, click_body(Action.RECHECK, {"scope": "task", "task": ARN}, message_ts=TS))
    [(args, kwargs)] = w.incidents.called("observe")
    assert args == (FAILING,) and f"<@{USER}>" in kwargs["note"]
    assert len(shown(w)) == 1  # only "Re-checking…": the alert's own edit goes through the outbox


def test_recheck_on_an_alert_without_an_alert_record_shows_the_result_itself() -> None:
    w = Wiring()
    w.incidents.alert_message, w.incidents.observed = True, False
    w.click(recheck, click_body(Action.RECHECK, {"scope": "task", "task": ARN}, message_ts=TS))
    assert len(shown(w)) == 2


def test_dms_throttling_during_a_recheck_is_shown_in_place_of_the_result() -> None:
    w = Wiring()
    w.questions.raises = DmsThrottled("ThrottlingException: Rate exceeded")
    w.click(recheck, click_body(Action.RECHECK, {"scope": "all"}, message_ts=TS))
    assert "throttling" in shown(w)[-1] and "Rate exceeded" in shown(w)[-1]


def test_a_recheck_naming_a_task_not_watched_is_refused_before_any_check() -> None:
    w = Wiring()
    w.click(recheck, click_body(Action.RECHECK, {"scope": "tasks", "tasks": [ARN, FORGED_ARN]}))
    assert "does not watch" in w.respond.only()["text"]
    assert w.questions.called("recheck") == [] and w.client.calls == []


def test_a_recheck_by_a_user_not_allowed_is_denied() -> None:
    w = Wiring(allowed_users=("U0SOMEONE",))
    w.click(recheck, click_body(Action.RECHECK, {"scope": "all"}))
    assert "not allowed" in w.respond.only()["text"] and w.questions.calls == []
