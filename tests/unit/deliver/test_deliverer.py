"""The outbox deliverer's own rules, against the fake Slack API over HTTP, a real webhook receiver
and a real SQLite store: edits and thread replies find their post's ts, permanent errors end an
item without blocking the next, Retry-After and backoff are measured on the injected clock, the
post callback, and the webhook's Idempotency-Key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.app.alert_queue import WEBHOOK, post_key, slack_destination
from bot.deliver.deliverer import MAX_ATTEMPTS, Deliverer
from bot.deliver.webhook import IDEMPOTENCY_HEADER
from bot.settings import Secret, WebhookSettings
from bot.store.base import OutboxItem
from bot.store.sql import SqlStore
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.simtools import Clock

CHANNEL = "C0ALERTS01"
ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOP"
POST = "chat.postMessage"


def blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


class Outbox:
    """A store, a clock and a deliverer over the fake Slack API (no slack_sdk retry handlers, so
    every 429 and 5xx reaches the deliverer's own rules)."""

    def __init__(self, slack: FakeSlackApi | None, webhook: WebhookSettings | None = None) -> None:
        self.store = SqlStore(":memory:")
        self.clock = Clock()
        self.posted: list[tuple[str, int, str, str]] = []
        self.delivered: list[OutboxItem] = []
        client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[]) if slack else None
        self.deliverer = Deliverer(
            store=self.store,
            slack=client,
            webhook=webhook or WebhookSettings(),
            clock=self.clock,
            on_post=lambda *args: self.posted.append(args),
            on_sent=self.delivered.append,
            base_delay=2.0,
        )

    def post(self, key: str = "", *, incident: int = 1, text: str = "alert") -> int:
        payload = {
            "channel": CHANNEL,
            "text": text,
            "blocks": blocks(text),
            "task_arn": ARN,
            "incident": incident,
        }
        return self._put("slack.post", payload, key or post_key(ARN, incident))

    def reply(self, kind: str, key: str, *, incident: int = 1, text: str = "edit") -> int:
        payload = {
            "channel": CHANNEL,
            "text": text,
            "blocks": blocks(text),
            "post_key": post_key(ARN, incident),
        }
        return self._put(f"slack.{kind}", payload, key)

    def webhook(self, key: str, body: str = '{"summary":{}}') -> int:
        item_id = self.store.enqueue(
            destination=WEBHOOK, kind="webhook", payload={"body": body}, key=key, now=self.clock()
        )
        assert item_id is not None
        return item_id

    def _put(self, kind: str, payload: dict[str, Any], key: str) -> int:
        item_id = self.store.enqueue(
            destination=slack_destination(CHANNEL), kind=kind, payload=payload, key=key, now=self.clock()
        )
        assert item_id is not None
        return item_id

    def item(self, item_id: int) -> OutboxItem:
        item = self.store.get_item(item_id)
        assert item is not None
        return item


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_channel(CHANNEL)
        yield fake


@pytest.fixture
def outbox(slack: FakeSlackApi) -> Outbox:
    return Outbox(slack)


def test_an_edit_and_a_thread_reply_go_to_the_message_their_post_created(
    outbox: Outbox, slack: FakeSlackApi
) -> None:
    outbox.post()
    outbox.reply("update", "edit-1", text="worse")
    outbox.reply("thread", "reply-1", text="new tables")
    assert outbox.deliverer.run_once() == 3
    [post, reply] = slack.requests(POST)
    [edit] = slack.requests("chat.update")
    ts = post.response["ts"]
    assert (edit.params["channel"], edit.params["ts"], edit.params["text"]) == (CHANNEL, ts, "worse")
    assert (reply.params["thread_ts"], reply.params["text"]) == (ts, "new tables")
    assert "thread_ts" not in post.params


def test_the_post_callback_gets_task_incident_channel_and_ts_for_posts_only(
    outbox: Outbox, slack: FakeSlackApi
) -> None:
    outbox.post(incident=3)
    outbox.reply("update", "edit-1", incident=3)
    outbox.reply("thread", "reply-1", incident=3)
    outbox.deliverer.run_once()
    ts = slack.requests(POST)[0].response["ts"]
    assert outbox.posted == [(ARN, 3, CHANNEL, ts)]
    assert [i.kind for i in outbox.delivered] == ["slack.post", "slack.update", "slack.thread"]


def test_a_sent_item_keeps_slacks_channel_and_ts_and_is_not_sent_again(
    outbox: Outbox, slack: FakeSlackApi
) -> None:
    item_id = outbox.post()
    outbox.deliverer.run_once()
    assert outbox.deliverer.run_once() == 0
    item = outbox.item(item_id)
    assert item.status == "sent" and item.result == {
        "channel": CHANNEL,
        "ts": slack.requests(POST)[0].response["ts"],
    }
    assert len(slack.requests(POST)) == 1


def test_a_permanent_slack_error_ends_the_item_and_the_next_one_still_goes(
    outbox: Outbox, slack: FakeSlackApi
) -> None:
    slack.fail_next(POST, error="channel_not_found")
    first = outbox.post("alert:first", text="first")
    second = outbox.post("alert:second", text="second")
    assert outbox.deliverer.run_once() == 1  # in the same pass: a dead item holds nothing back
    dead = outbox.item(first)
    assert dead.status == "dead" and dead.last_error is not None and "channel_not_found" in dead.last_error
    assert outbox.item(second).status == "sent"
    assert [r.params["text"] for r in slack.requests(POST)] == ["first", "second"]  # no retry of the first


def test_an_edit_of_a_post_that_was_given_up_is_given_up_too(outbox: Outbox, slack: FakeSlackApi) -> None:
    slack.fail_next(POST, error="is_archived")
    outbox.post()
    edit = outbox.reply("update", "edit-1")
    outbox.deliverer.run_once()
    outbox.deliverer.run_once()
    item = outbox.item(edit)
    assert item.status == "dead" and item.last_error == "the alert message it refers to was never posted"
    assert slack.requests("chat.update") == []


def test_a_429_waits_for_slacks_retry_after_on_the_injected_clock(
    outbox: Outbox, slack: FakeSlackApi
) -> None:
    slack.fail_next(POST, status=429, retry_after=30)
    item_id = outbox.post()
    start = outbox.clock()
    assert outbox.deliverer.run_once() == 0
    waiting = outbox.item(item_id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at == start + timedelta(seconds=30)
    outbox.clock.advance(seconds=29)
    assert outbox.deliverer.run_once() == 0
    assert len(slack.requests(POST)) == 1  # not even tried before Slack's time
    outbox.clock.advance(seconds=1)
    assert outbox.deliverer.run_once() == 1
    assert [r.status for r in slack.requests(POST)] == [429, 200]


def test_transient_errors_back_off_exponentially_from_base_delay(outbox: Outbox, slack: FakeSlackApi) -> None:
    slack.fail_next(POST, status=500, times=3)
    item_id = outbox.post()
    for delay in (2, 4, 8):  # base_delay x 2^attempts
        before = outbox.clock()
        assert outbox.deliverer.run_once() == 0
        assert outbox.item(item_id).next_attempt_at == before + timedelta(seconds=delay)
        outbox.clock.advance(seconds=delay)
    assert outbox.deliverer.run_once() == 1


def test_an_item_failing_max_attempts_times_is_given_up(outbox: Outbox, slack: FakeSlackApi) -> None:
    item_id = outbox.post()
    for _ in range(MAX_ATTEMPTS - 1):
        outbox.store.mark_retry(item_id, error="503", next_attempt_at=outbox.clock())
    slack.fail_next(POST, status=503)
    outbox.deliverer.run_once()
    item = outbox.item(item_id)
    assert item.status == "dead" and item.attempts == MAX_ATTEMPTS


def test_slack_items_are_given_up_when_slack_is_not_configured() -> None:
    outbox = Outbox(None)
    item_id = outbox.post()
    assert outbox.deliverer.run_once() == 0
    item = outbox.item(item_id)
    assert item.status == "dead" and item.last_error == "Slack is not configured"


def test_webhook_items_carry_their_outbox_key_as_the_idempotency_key() -> None:
    with HttpReceiver() as receiver:
        outbox = Outbox(None, WebhookSettings(url=Secret(receiver.url)))
        item_id = outbox.webhook("webhook:sweep:7", body='{"sweep":7}')
        assert outbox.deliverer.run_once() == 1
        [request] = receiver.requests()
    assert request.headers[IDEMPOTENCY_HEADER.lower()] == "webhook:sweep:7"
    assert request.json == {"sweep": 7}
    assert outbox.item(item_id).result == {"status": 200}
    assert outbox.posted == []  # only Slack posts are remembered by the alert


def test_a_webhook_item_is_given_up_when_no_url_is_configured_any_more() -> None:
    outbox = Outbox(None)
    item_id = outbox.webhook("webhook:sweep:1")
    outbox.deliverer.run_once()
    item = outbox.item(item_id)
    assert item.status == "dead" and item.last_error == "no webhook URL configured any more"
