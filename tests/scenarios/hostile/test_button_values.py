"""Button values come back from the network and anyone who can reach the endpoint with a valid
session can craft them: garbage is refused politely, and a value naming a task outside the config
is refused without a single DMS call (so forged clicks cannot spend the DMS API budget)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.buttons import SNOOZE_ACTIONS, Action
from bot.settings import Target
from bot.sim.model import dms_arn
from tests.scenarios.faults.conftest import MakeBot
from tests.support.hostile_strategies import hostile_text
from tests.support.inprocess import CHANNEL, InProcessBot, answer_text, captured_logs
from tests.support.render.limits import assert_safe
from tests.support.simtools import REGION

BUTTONS = (
    Action.RECHECK,
    Action.SHOW_TABLES,
    Action.TABLES_PAGE,
    Action.SHARE,
    Action.ACK,
    Action.REVALIDATE,
    *SNOOZE_ACTIONS,
)
ACCOUNT = "123456789012"
UNWATCHED = dms_arn("task", "orders-cdc", REGION, ACCOUNT)  # a real task, outside the config
STRANGER = dms_arn("task", "evil", "us-east-1", "999999999999")  # no such task anywhere
WATCHED_ONLY = (Target(name="demo", region=REGION, channel=CHANNEL, tasks=("billing-cdc", "crm-cdc")),)

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text.map(lambda s: s[:3000])
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
known_keys = st.sampled_from(["scope", "tasks", "task", "state", "page", "command", "hours"])
forged_object = st.dictionaries(st.one_of(known_keys, st.text(max_size=10)), json_value, max_size=6)
raw_value = st.one_of(
    hostile_text.map(lambda s: s[:2500]),
    forged_object.map(lambda d: json.dumps(d, allow_nan=True)),
    st.sampled_from(["", "null", "[]", "{}", "[" * 3000, '{"a":' * 2000 + "1" + "}" * 2000, "NaN"]),
)


@pytest.fixture
def bot(make_bot: MakeBot) -> InProcessBot:
    bot = make_bot(targets=WATCHED_ONLY)
    bot.sweep()
    return bot


def click_safely(bot: InProcessBot, action_id: str, value: str, **kw: Any) -> str:
    """Click; every reply accepted by Slack, inert, no exception, no error log. Returns the replies."""
    with captured_logs("bot") as logs:
        posts = bot.click(action_id, value, channel_id=CHANNEL, **kw)
    for post in posts:
        assert post.status == 200 and post.body is not None, post
        assert_safe(post.body, users=["U123"])
        assert "Something went wrong" not in str(post.body)
    for update in bot.slack.requests("chat.update"):
        assert_safe(update.params, users=["U123"])
    assert bot.executor.escaped == []
    assert not [r for r in logs if r.levelno >= logging.ERROR], [r.getMessage() for r in logs]
    return " ".join(answer_text(p) for p in posts)


def test_garbage_and_forged_values_on_every_button(bot: InProcessBot) -> None:
    """Garbage and forged values on every button: a safe reply or none, no exception, no reload."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(action_id=st.sampled_from(BUTTONS), value=raw_value)
    def check(action_id: str, value: str) -> None:
        click_safely(bot, action_id, value)

    check()
    assert bot.sim.reloads() == []


@pytest.mark.parametrize("arn", [UNWATCHED, STRANGER], ids=["real-task-outside-config", "unknown-account"])
@pytest.mark.parametrize(
    "action_id, value",
    [
        (Action.RECHECK, {"scope": "task", "task": "{arn}"}),
        (Action.RECHECK, {"scope": "tasks", "tasks": ["{watched}", "{arn}"]}),
        (Action.SHOW_TABLES, {"scope": "task", "task": "{arn}"}),
        (Action.TABLES_PAGE, {"task": "{arn}", "page": 1}),
        (Action.ACK, {"task": "{arn}"}),
        (SNOOZE_ACTIONS[0], {"task": "{arn}", "hours": 1}),
        (Action.REVALIDATE, {"task": "{arn}"}),
    ],
)
def test_a_forged_task_outside_the_config_is_refused_without_calling_dms(
    bot: InProcessBot, arn: str, action_id: str, value: dict[str, Any]
) -> None:
    """A value naming a task outside the config: refused, zero DMS calls, nothing written."""
    watched = next(v.task.arn for v in bot.checker.last_report.tasks)  # type: ignore[union-attr]
    raw = json.dumps(value).replace("{arn}", arn).replace("{watched}", watched)
    calls = bot.sim.total_calls()
    text = click_safely(bot, action_id, raw, message_ts="1700000000.000100")
    assert "does not watch" in text
    assert bot.sim.total_calls() == calls
    assert bot.store.get_alert(arn) is None and arn not in bot.store.active_snoozes(bot.clock())
    assert bot.sim.reloads() == []


def test_share_re_runs_only_what_a_person_could_type(bot: InProcessBot) -> None:
    """Share's value is a ``/dms`` command (≤200 chars): hostile ones are answered like typed ones."""
    for command in ("status <!channel>", "tables billing-cdc <@U0VICTIM>", "x" * 200, "history \u202e"):
        text = click_safely(bot, Action.SHARE, json.dumps({"command": command}))
        assert "<!channel>" not in text and "<@U0VICTIM>" not in text
