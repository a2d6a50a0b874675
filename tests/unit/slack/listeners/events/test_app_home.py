"""The Home tab: read once from Questions.home(), rendered, published with views.publish; a Slack
refusal is logged, never raised."""

from __future__ import annotations

import json

import pytest

from bot.app.questions import Home
from bot.core.alerts import TaskAlert
from bot.core.records import Snooze
from bot.slack.listeners.events.app_home import publish_home
from tests.support.simtools import T0
from tests.unit.slack.listeners.stubs import ARN, ROW, USER, Wiring, slack_error


def test_opening_the_home_tab_publishes_the_fleet_for_that_user() -> None:
    w = Wiring()
    alert = TaskAlert(ARN, "demo", "billing-cdc", open=True, incident=1, kind="failure", opened_at=T0)
    snooze = Snooze(ARN, until=T0.replace(hour=13), by="U0BOB", at=T0)
    w.questions.home_answer = Home([ROW], [alert], {ARN: snooze}, None, T0)
    publish_home(user_id=USER, client=w.client.as_web_client, deps=w.deps)
    assert w.questions.methods == ["home"]
    [(_, call)] = w.client.called("views_publish")
    assert call["user_id"] == USER and call["view"]["type"] == "home"
    assert "billing-cdc" in json.dumps(call["view"])


@pytest.mark.parametrize("user_id", [None, "", 42, {"id": USER}])
def test_an_event_without_a_user_publishes_nothing(user_id: object) -> None:
    w = Wiring()
    publish_home(user_id=user_id, client=w.client.as_web_client, deps=w.deps)
    assert w.questions.calls == [] and w.client.calls == []


def test_a_refused_publish_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    w = Wiring()
    w.client.fail["views_publish"] = slack_error("views.publish", "not_enabled")
    publish_home(user_id=USER, client=w.client.as_web_client, deps=w.deps)
    assert "not_enabled" in caplog.text
