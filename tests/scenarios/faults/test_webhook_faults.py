"""The HTTP API receiver misbehaving: 5xx, resets and timeouts are retried by the outbox with the
same Idempotency-Key until one attempt succeeds (then never again); a 4xx ends that report at once
(it would fail the same way forever) without holding back the next one."""

from __future__ import annotations

import socket

from bot.settings import Secret, WebhookSettings
from tests.scenarios.faults.conftest import MakeBot
from tests.support.fakes.http_receiver import HttpReceiver, Step
from tests.support.inprocess import InProcessBot, captured_logs

KEY = "idempotency-key"


def hook(url: str, **kw: object) -> WebhookSettings:
    return WebhookSettings(url=Secret(url), timeout=1.0, **kw)  # type: ignore[arg-type]


def pending(bot: InProcessBot) -> int:
    return bot.store.outbox_stats(bot.clock())[0]


def drain(bot: InProcessBot, rounds: int = 10) -> None:
    for _ in range(rounds):
        if not pending(bot):
            return
        bot.deliver(advance_seconds=3600)


def test_5xx_and_resets_are_retried_with_one_idempotency_key(
    make_bot: MakeBot, receiver: HttpReceiver
) -> None:
    """503, 500, a reset, then 200: four attempts of one report, one key, then never sent again."""
    bot = make_bot(webhook=hook(receiver.url))
    receiver.script([503, 500, Step(close_connection=True), 200])
    bot.sweep()
    drain(bot)
    got = receiver.requests()
    assert [r.answered for r in got] == [503, 500, None, 200]
    assert len({r.headers[KEY] for r in got}) == 1 and len({r.body for r in got}) == 1
    bot.deliver(advance_seconds=3600)
    assert len(receiver.requests()) == 4


def test_a_slow_receiver_is_retried_with_the_same_key(make_bot: MakeBot, receiver: HttpReceiver) -> None:
    """Slower than the timeout: retried with the same Idempotency-Key, so the receiver keeps one."""
    bot = make_bot(webhook=hook(receiver.url))
    receiver.script([Step(delay=1.5)])
    with captured_logs("bot") as logs:
        bot.sweep()
    assert pending(bot) == 1
    assert any("did not answer within 1s" in r.getMessage() for r in logs)
    drain(bot)
    got = receiver.requests()
    assert len(got) == 2 and got[0].headers[KEY] == got[1].headers[KEY]


def test_a_4xx_ends_the_report_and_the_next_one_still_goes(make_bot: MakeBot, receiver: HttpReceiver) -> None:
    """400 Bad Request: that report is given up at once (logged); the next sweep's report is sent."""
    bot = make_bot(webhook=hook(receiver.url))
    receiver.script([400])
    with captured_logs("bot.deliver") as logs:
        bot.sweep()
    assert pending(bot) == 0 and len(receiver.requests()) == 1
    assert any("HTTP 400" in r.getMessage() for r in logs)
    bot.sweep()
    assert [r.answered for r in receiver.requests()] == [400, 200]
    assert receiver.requests()[0].headers[KEY] != receiver.requests()[1].headers[KEY]


def test_429_retry_after_is_honoured(make_bot: MakeBot, receiver: HttpReceiver) -> None:
    """429 with Retry-After: 120 waits two minutes in the outbox (not the default backoff), then goes."""
    bot = make_bot(webhook=hook(receiver.url))
    receiver.script([Step(status=429, headers={"Retry-After": "120"})])
    bot.sweep()
    assert pending(bot) == 1
    assert bot.deliver(advance_seconds=100) == 0
    assert bot.deliver(advance_seconds=30) == 1
    assert [r.answered for r in receiver.requests()] == [429, 200]


def test_a_receiver_that_is_down_keeps_the_report_and_slack_unaffected(make_bot: MakeBot) -> None:
    """Webhook refusing connections: the report waits, Slack alerts go, the log hides the path."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot = make_bot(webhook=hook(f"http://127.0.0.1:{port}/hooks/T0KEN-SECRET-PATH"))
    with captured_logs("bot") as logs:
        bot.sweep()
    assert pending(bot) == 1
    assert bot.slack.requests("chat.postMessage")  # the alert did not wait for the webhook
    text = " ".join(r.getMessage() for r in logs)
    assert "unreachable" in text and "T0KEN-SECRET-PATH" not in text
