"""``/dms`` text is typed by anyone in the workspace: whatever it is, the real Bolt app answers once
through response_url, within Slack's limits, with nothing from the input able to ping, link or
format, and no exception escapes a listener."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scenarios.faults.conftest import MakeBot
from tests.support.hostile_strategies import MARKUP, hostile_text
from tests.support.inprocess import InProcessBot, captured_logs
from tests.support.render.limits import assert_safe

PREFIXES = ("", "status ", "check ", "tables ", "tables billing-cdc ", "history ", "help ", "STATUS\t")
ENOUGH = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def bot(make_bot: MakeBot) -> InProcessBot:
    bot = make_bot()
    bot.sweep()  # tasks known, alerts posted: the state a real workspace is in
    return bot


def assert_answered_safely(bot: InProcessBot, text: str) -> None:
    with captured_logs("bot") as logs:
        posts = bot.command_posts(text)
    assert posts, f"no answer to {text[:80]!r}"
    for post in posts:
        assert post.status == 200, (post.status, text[:80])  # the fake Slack accepted it
        assert post.body is not None
        assert_safe(post.body)
        assert "Something went wrong" not in str(post.body)
    assert bot.executor.escaped == []
    assert not [r for r in logs if r.levelno >= logging.ERROR], [r.getMessage() for r in logs]


def test_any_slash_command_text_gets_one_safe_answer(bot: InProcessBot) -> None:
    """Arbitrary Unicode, markup and very long strings after every subcommand: a safe answer."""

    @ENOUGH
    @given(prefix=st.sampled_from(PREFIXES), text=hostile_text)
    def check(prefix: str, text: str) -> None:
        assert_answered_safely(bot, prefix + text)

    check()


def test_each_markup_token_is_shown_not_obeyed(bot: InProcessBot) -> None:
    """Every known markup trick as a subcommand, a task name and a table state: escaped."""
    for token in MARKUP:
        for text in (token, f"status {token}", f"tables billing-cdc {token}", f"history {token}x"):
            assert_answered_safely(bot, text)


def test_a_100k_character_command_is_answered_quickly(bot: InProcessBot) -> None:
    """100,000 characters of mentions: the parser reads 500 and the answer is short and inert."""
    assert_answered_safely(bot, "status " + "<!channel>" * 10_000)
