"""Slack misbehaving while the outbox delivers alerts: transient trouble (429, 5xx, timeouts) is
retried until each message is delivered once; permanent trouble (invalid_auth, channel_not_found,
not_in_channel) ends that item without holding back messages for other channels; the sweep and
the bot never notice beyond a log line."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.settings import Target
from tests.scenarios.faults.conftest import MakeBot
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import (
    CHANNEL,
    OTHER_CHANNEL,
    InProcessBot,
    captured_logs,
    posts_about,
    small_fleet,
)
from tests.support.simtools import REGION

POST = "chat.postMessage"
TWO_CHANNELS = (
    Target(name="main", region=REGION, channel=CHANNEL, tasks=("billing-cdc",)),
    Target(name="other", region=REGION, channel=OTHER_CHANNEL, tasks=("crm-cdc",)),
)


GONE = "G0GONE00001"  # the fake knows no such channel: channel_not_found
GONE_AND_OTHER = (replace(TWO_CHANNELS[0], channel=GONE), TWO_CHANNELS[1])


def two_failing() -> object:
    """billing-cdc (to CHANNEL) and crm-cdc (to OTHER_CHANNEL) both have a mismatched table."""
    bad = {"tables": [{"schema": "crm", "name": "contacts", "validation_state": "Mismatched records"}]}
    return small_fleet(**{"crm-cdc": bad})


def delivered(slack: FakeSlackApi, channel: str) -> list[object]:
    return [r for r in slack.requests(POST) if r.ok and r.params["channel"] == channel]


def pending(bot: InProcessBot) -> int:
    return bot.store.outbox_stats(bot.clock())[0]


def test_429_with_retry_after_is_retried_by_slack_sdk(make_bot: MakeBot) -> None:
    """One 429 (Retry-After: 1): slack_sdk waits a second and retries; the alert is posted once."""
    bot = make_bot()
    bot.slack.fail_next(POST, status=429, retry_after=1)
    started = time.monotonic()
    bot.sweep()
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    [post] = posts_about(bot.slack, "billing-cdc")
    assert post.ok and pending(bot) == 0
    assert [r.status for r in bot.slack.requests(POST)] == [429, 200]


def test_429_storm_beyond_slack_sdk_retries_waits_in_the_outbox(make_bot: MakeBot) -> None:
    """More 429s than slack_sdk retries: the item waits Retry-After in the outbox, then goes once."""
    bot = make_bot()
    bot.slack.fail_next(POST, status=429, retry_after=1, times=4)  # 1 try + 3 handler retries
    bot.sweep()
    assert posts_about(bot.slack, "billing-cdc") == [] and pending(bot) == 1
    assert bot.deliver() == 0  # not due yet: Slack asked for one second
    assert bot.deliver(advance_seconds=1) == 1
    assert len(posts_about(bot.slack, "billing-cdc")) == 1 and pending(bot) == 0


def test_500s_are_retried_until_delivered_once(make_bot: MakeBot) -> None:
    """Slack answering 500 for a while: nothing lost, nothing doubled, delivered when it recovers."""
    bot = make_bot()
    bot.slack.fail_next(POST, status=500, times=5)
    bot.sweep()
    while pending(bot):
        bot.deliver(advance_seconds=60)
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    assert [r.status for r in bot.slack.requests(POST)] == [500] * 5 + [200]


def test_a_timeout_is_retried_and_delivered_once(make_bot: MakeBot) -> None:
    """Slack hanging past the client timeout (and never posting): the outbox retries; posted once."""
    bot = make_bot(slack_timeout=1)
    bot.slack.fail_next(POST, status=503, delay=1.5)
    with captured_logs("bot") as logs:
        bot.sweep()
    assert pending(bot) == 1, "a timed-out post must stay in the outbox"
    assert all(r.exc_info is None for r in logs), "a Slack timeout is a log line, not a stack trace"
    bot.deliver(advance_seconds=60)
    assert len(posts_about(bot.slack, "billing-cdc")) == 1 and pending(bot) == 0


def test_a_timeout_on_one_channel_does_not_hold_back_the_other(make_bot: MakeBot) -> None:
    """A post timing out in one channel: the other channel's alert goes out in the same pass."""
    bot = make_bot(scenario=two_failing(), targets=TWO_CHANNELS, slack_timeout=1)
    bot.slack.fail_next(POST, status=503, delay=1.5)
    bot.sweep()
    assert len(delivered(bot.slack, CHANNEL)) + len(delivered(bot.slack, OTHER_CHANNEL)) == 1
    bot.deliver(advance_seconds=60)
    assert len(delivered(bot.slack, CHANNEL)) == 1 and len(delivered(bot.slack, OTHER_CHANNEL)) == 1


def test_channel_not_found_ends_the_item_without_blocking_other_channels(make_bot: MakeBot) -> None:
    """A deleted channel: that alert is given up (logged), the other channel's is delivered."""
    bot = make_bot(scenario=two_failing(), targets=GONE_AND_OTHER)
    with captured_logs("bot.deliver") as logs:
        bot.sweep()
    assert len(delivered(bot.slack, OTHER_CHANNEL)) == 1 and pending(bot) == 0
    assert any("channel_not_found" in r.getMessage() for r in logs)
    bot.sweep()  # the still-failing task is not re-posted to the dead channel every sweep
    assert [r.error for r in bot.slack.requests(POST) if r.params["channel"] == GONE] == ["channel_not_found"]


def test_not_in_channel_is_retried_until_the_bot_is_invited(make_bot: MakeBot) -> None:
    """The bot removed from a channel: the alert waits (others go), and is posted once it is invited."""
    bot = make_bot(scenario=two_failing(), targets=TWO_CHANNELS)
    bot.slack.set_member(CHANNEL, False)
    bot.sweep()
    assert len(delivered(bot.slack, OTHER_CHANNEL)) == 1
    assert delivered(bot.slack, CHANNEL) == [] and pending(bot) == 1
    bot.slack.set_member(CHANNEL, True)
    bot.deliver(advance_seconds=3600)
    assert len(delivered(bot.slack, CHANNEL)) == 1 and pending(bot) == 0


def test_invalid_auth_ends_items_and_the_bot_keeps_sweeping(make_bot: MakeBot, slack: FakeSlackApi) -> None:
    """A revoked token: every item is given up with a clear log line; sweeps go on being recorded."""
    bot = make_bot()
    bot.slack.fail_next(POST, error="invalid_auth", times=10)
    with captured_logs("bot.deliver") as logs:
        bot.sweep()
        bot.sweep()
    assert pending(bot) == 0 and posts_about(slack, "billing-cdc") == []
    assert any("invalid_auth" in r.getMessage() for r in logs)
    last = bot.store.last_sweep()
    assert last is not None and last.tasks == 4


def test_slack_down_then_restart_loses_nothing(make_bot: MakeBot) -> None:
    """Slack 503 during a sweep, the bot restarted: the queued alert is delivered once afterwards."""
    bot = make_bot(scenario=two_failing(), targets=TWO_CHANNELS)
    bot.slack.fail_next("*", status=503, times=100)
    bot.sweep()
    assert pending(bot) == 2
    bot.slack.clear_faults()
    bot.restart()
    bot.deliver(advance_seconds=3600)
    bot.sweep()
    assert len(delivered(bot.slack, CHANNEL)) == 1 and len(delivered(bot.slack, OTHER_CHANNEL)) == 1


def test_invalid_auth_at_start_up_is_one_clear_error(make_bot: MakeBot, slack: FakeSlackApi) -> None:
    """A wrong bot token: building the app fails with the bot's SlackError naming invalid_auth."""
    from bot.errors import SlackError
    from bot.settings import Secret

    bot = make_bot()
    bad = replace(bot.settings, slack=replace(bot.settings.slack, bot_token=Secret("xoxb-wrong")))
    try:
        InProcessBot(bot.sim, slack, bad, bot.db.with_name("bad.sqlite3")).app  # noqa: B018
    except SlackError as exc:
        assert "invalid_auth" in str(exc)
    else:
        raise AssertionError("a wrong token must fail at start-up")


def test_a_post_slack_made_but_answered_too_late_is_posted_once(make_bot: MakeBot) -> None:
    """Slack posts but answers after the timeout: the retry finds the post by its metadata in the
    channel's history and records it, so it shows once (it used to show twice)."""
    bot = make_bot(slack_timeout=1)
    bot.slack.fail_next(POST, delay=1.5)  # answers 200, too late
    bot.sweep()
    time.sleep(0.7)  # the late request finishes on the fake's side
    bot.deliver(advance_seconds=60)
    assert pending(bot) == 0
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    assert len(bot.slack.requests("conversations.history")) == 1
