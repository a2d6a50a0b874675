"""What every button shares: reading the click defensively, access control, refusing tasks the bot
does not watch, and a last-resort reply when a handler fails."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.render.buttons import Action
from bot.slack.listeners.actions.context import (
    Click,
    NotWatched,
    guarded,
    read_click,
    watched_arns,
    watched_task,
)
from tests.unit.slack.listeners.stubs import ARN, CHANNEL, FORGED_ARN, OTHER_ARN, USER, Wiring, click_body


def click_of(value: dict[str, Any]) -> Click:
    return Click(USER, CHANNEL, "1.2", False, value, [])


def test_read_click_takes_user_channel_ts_and_the_decoded_value() -> None:
    value = json.dumps({"scope": "task", "task": ARN, "junk": 1})
    body = click_body(Action.RECHECK, value, message_ts="1700000000.000100")
    body["message"]["blocks"] = [{"type": "divider"}]
    click = read_click(body)
    assert (click.user_id, click.channel_id, click.message_ts, click.ephemeral) == (
        USER,
        CHANNEL,
        "1700000000.000100",
        False,
    )
    assert click.value == {"scope": "task", "task": ARN}  # unknown keys dropped
    assert click.blocks == [{"type": "divider"}]


def test_read_click_falls_back_to_the_container_for_the_channel_and_survives_missing_parts() -> None:
    body = click_body(Action.RECHECK, {"scope": "all"})
    del body["channel"]
    body["message"] = "not a dict"
    body["container"]["is_ephemeral"] = True
    click = read_click(body)
    assert (click.channel_id, click.ephemeral, click.blocks) == (CHANNEL, True, [])


@pytest.mark.parametrize("actions", [[], None, ["not a dict"]])
def test_read_click_without_a_usable_action_is_a_value_error(actions: Any) -> None:
    body = click_body(Action.RECHECK, {"scope": "all"})
    body["actions"] = actions
    with pytest.raises(ValueError):
        read_click(body)


def test_watched_arns_is_none_for_all_tasks_and_the_list_when_every_one_is_watched() -> None:
    w = Wiring()
    assert watched_arns(click_of({"scope": "all"}), w.deps) is None
    assert watched_arns(click_of({"scope": "tasks", "tasks": [ARN, OTHER_ARN]}), w.deps) == [ARN, OTHER_ARN]
    assert watched_arns(click_of({"scope": "task", "task": ARN}), w.deps) == [ARN]


@pytest.mark.parametrize(
    "value",
    [
        {"scope": "tasks", "tasks": [ARN, FORGED_ARN]},
        {"scope": "task", "task": FORGED_ARN},
        {"scope": "tasks"},  # scope without the tasks it needs
    ],
)
def test_watched_arns_refuses_any_task_the_bot_does_not_watch(value: dict[str, Any]) -> None:
    with pytest.raises(NotWatched):
        watched_arns(click_of(value), Wiring().deps)


def test_watched_task_needs_a_task_the_bot_watches() -> None:
    w = Wiring()
    assert watched_task(click_of({"task": ARN}), w.deps) == ARN
    for value in ({"task": FORGED_ARN}, {"page": 1}):
        with pytest.raises(NotWatched):
            watched_task(click_of(value), w.deps)


def test_guarded_runs_the_handler_with_the_parsed_click_when_access_is_allowed() -> None:
    seen: list[Click] = []

    @guarded
    def handler(*, click: Click, **_: Any) -> None:
        seen.append(click)

    w = Wiring(allowed_users=(USER,), allowed_channels=(CHANNEL,))
    w.click(handler, click_body(Action.RECHECK, {"scope": "all"}))
    assert [c.value for c in seen] == [{"scope": "all"}] and w.respond.calls == []


def test_guarded_checks_allowed_users_through_user_groups_and_fails_closed() -> None:
    ran: list[bool] = []

    @guarded
    def handler(**_: Any) -> None:
        ran.append(True)

    w = Wiring(allowed_users=("S0TEAM",))
    w.client.groups = {"S0TEAM": [USER]}
    w.click(handler, click_body(Action.RECHECK, {"scope": "all"}))
    assert ran == [True]
    w = Wiring(allowed_users=("S0TEAM",))
    w.client.fail["usergroups_users_list"] = OSError("Slack unreachable")
    w.click(handler, click_body(Action.RECHECK, {"scope": "all"}))
    assert ran == [True] and "not allowed" in w.respond.only()["text"]


def test_guarded_turns_not_watched_into_a_refusal_and_any_other_failure_into_one_line() -> None:
    @guarded
    def not_watched(**_: Any) -> None:
        raise NotWatched

    @guarded
    def broken(**_: Any) -> None:
        raise KeyError("internal detail")

    w = Wiring()
    w.click(not_watched, click_body(Action.RECHECK, {"scope": "all"}))
    w.click(broken, click_body(Action.RECHECK, {"scope": "all"}))
    assert "does not watch" in w.respond.text(0)
    assert "Something went wrong" in w.respond.text(1) and "internal detail" not in w.respond.text(1)
