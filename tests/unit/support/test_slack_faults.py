"""Scripted faults: rate limits, server errors, delays and Slack error strings."""

from __future__ import annotations

import time
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi


def test_429_is_retried_by_rate_limit_handler(fake: FakeSlackApi):
    """429 + Retry-After is retried successfully by slack_sdk's RateLimitErrorRetryHandler."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, retry_handlers=[RateLimitErrorRetryHandler()])
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    limited, ok = fake.requests("chat.postMessage")
    assert (limited.status, limited.error, ok.status) == (429, "ratelimited", 200)
    assert len(fake.messages("C1")) == 1


def test_429_without_handler_surfaces_retry_after(client: WebClient, fake: FakeSlackApi):
    """Without a retry handler the caller sees status 429 and the Retry-After header."""
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors(client: WebClient, fake: FakeSlackApi, status):
    """HTTP 5xx is answered once, then the method works again."""
    fake.fail_next("chat.update", status=status)
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C1", ts=ts, text="y")
    assert info.value.response.status_code == status
    assert client.chat_update(channel="C1", ts=ts, text="y")["ok"]


@pytest.mark.parametrize("error", ["invalid_auth", "channel_not_found", "not_in_channel"])
def test_forced_slack_errors_repeat_times(client: WebClient, fake: FakeSlackApi, error):
    """A forced Slack error applies `times` times, then normal service resumes."""
    fake.fail_next("chat.postMessage", error=error, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match=error):
            client.chat_postMessage(channel="C1", text="x")
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_delay_simulates_timeout(fake: FakeSlackApi):
    """A delay longer than the client timeout makes the call time out."""
    fake.fail_next("auth.test", delay=2)
    client = WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=1, retry_handlers=[])
    started = time.monotonic()
    with pytest.raises((TimeoutError, URLError)):
        client.auth_test()
    assert time.monotonic() - started < 1.9
    assert client.auth_test()["ok"]


def test_wait_for_times_out_with_what_arrived(client: WebClient, fake: FakeSlackApi):
    """wait_for raises AssertionError listing the calls that did arrive."""
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test:ok"):
        fake.wait_for("chat.postMessage", timeout=0.2)
