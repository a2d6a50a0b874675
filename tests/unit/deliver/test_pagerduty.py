"""PagerDuty events through the outbox, against a real local Events API v2 receiver and a real
SQLite store: 202 done; 429 / 5xx / no answer retried with backoff (measured on the injected clock);
400 dead-lettered with one log line quoting PagerDuty; an hour-long outage loses nothing, warns
once and delivers in order; the routing key is in every body and in no log line or stored error."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.app.alert_queue import post_key
from bot.app.paging import KIND, Pager
from bot.core.alerts import AlertPolicy, TaskAlert, step
from bot.core.evaluate import evaluate
from bot.core.models import TableStats, Task, TaskVerdict
from bot.deliver.deliverer import Deliverer
from bot.deliver.pagerduty import PagerDutySender
from bot.settings import PagerDutySettings, Secret, Settings, Target
from bot.store.base import OutboxItem
from bot.store.sql import SqlStore
from tests.support.fakes.pagerduty import ROUTING_KEY, FakePagerDuty
from tests.support.inprocess import captured_logs
from tests.support.simtools import Clock

ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOP"
TASK = Task(identifier="orders-cdc", arn=ARN, status="running", migration_type="cdc")
CHANNEL = "C0ALERTS01"
KEY = f"dms-validation-bot:{ARN}:1"


def verdict(*bad: str) -> TaskVerdict:
    tables = [TableStats("sales", n, "Table completed", "Mismatched records", failed_records=2) for n in bad]
    return evaluate(
        TASK, [*tables, TableStats("sales", "ok", "Table completed", "Validated")], now=Clock().now
    )


class Paging:
    """An outbox with the PagerDuty sender, and one task's incident life queued through the Pager."""

    def __init__(self, pd: FakePagerDuty, *, key: str = ROUTING_KEY) -> None:
        self.settings = Settings(
            targets=(Target(name="prod", region="eu-west-1"),),
            pagerduty=PagerDutySettings(routing_key=Secret(key), url=pd.url, timeout=2.0),
        )
        self.store = SqlStore(":memory:")
        self.clock = Clock()
        self.counted: list[tuple[str, str]] = []
        sender = PagerDutySender(self.settings, self.store, on_event=lambda *a: self.counted.append(a))
        self.deliverer = Deliverer(
            store=self.store,
            slack=None,
            webhook=self.settings.webhook,
            clock=self.clock,
            base_delay=2.0,
            senders={KIND: sender},
        )
        self.pager = Pager(store=self.store, settings=self.settings)
        self.alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc", channel=CHANNEL)

    def sweep(self, seen: TaskVerdict, tag: str) -> None:
        result = step(self.alert, seen, now=self.clock(), policy=AlertPolicy())
        with self.store.transaction():
            self.pager.after_step(self.alert, result, seen, snoozed=False, tag=tag, now=self.clock())
        self.alert = result.alert

    def life(self) -> None:
        """Opens, is acknowledged, worsens, recovers: four events."""
        self.sweep(verdict("orders"), "sweep1")
        with self.store.transaction():
            self.pager.acknowledged(replace(self.alert, acked_by="U0OWNER"), now=self.clock())
        self.sweep(verdict("orders", "lines"), "sweep2")
        self.sweep(verdict(), "sweep3")

    def statuses(self) -> list[str]:
        return [self.item(k).status for k in self.keys()]

    def item(self, key: str) -> OutboxItem:
        found = self.store.find_item(key)
        assert found is not None, key
        return found

    def keys(self) -> list[str]:
        return [
            f"pagerduty:{KEY}:{r}" for r in ("open:sweep1", "ack:slack", "worse:sweep2", "resolve:sweep3")
        ]


@pytest.fixture
def pd() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as fake:
        yield fake


def test_one_incident_life_is_four_events_in_order_under_one_dedup_key(pd: FakePagerDuty) -> None:
    paging = Paging(pd)
    with captured_logs("bot") as logs:
        paging.life()
        assert paging.deliverer.run_once() == 4
    events = pd.accepted()
    assert [e.action for e in events] == ["trigger", "acknowledge", "trigger", "resolve"]
    assert {e.dedup_key for e in events} == {KEY}
    assert all(e.body["routing_key"] == ROUTING_KEY for e in events)
    trigger = events[0].body
    assert trigger["payload"]["severity"] == "critical" and trigger["payload"]["source"] == ARN
    assert trigger["payload"]["summary"].startswith("DMS validation failure: orders-cdc (prod): ")
    assert (trigger["payload"]["component"], trigger["payload"]["group"]) == ("orders-cdc", "prod")
    assert trigger["payload"]["custom_details"]["task_arn"] == ARN
    hrefs = [link["href"] for link in trigger["links"]]
    assert hrefs[0] == f"https://slack.com/app_redirect?channel={CHANNEL}"  # no post delivered here
    assert hrefs[1].startswith("https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1")
    assert events[2].body["payload"]["summary"].endswith(": 2 tables Mismatched records")
    assert set(events[1].body) == set(events[3].body) == {"routing_key", "event_action", "dedup_key"}
    assert paging.counted == [(e.action, "accepted") for e in events]
    assert not [r for r in logs if r.levelno >= logging.WARNING]
    assert ROUTING_KEY not in str(paging.item(paging.keys()[0]).payload)  # never stored


def test_the_slack_permalink_is_linked_once_the_alert_is_posted(pd: FakePagerDuty) -> None:
    paging = Paging(pd)
    now = paging.clock()
    paging.store.enqueue(
        destination="elsewhere", kind="slack.post", payload={}, key=post_key(ARN, 1), now=now
    )
    item = paging.item(post_key(ARN, 1))
    paging.store.mark_sent(item.id, result={"channel": CHANNEL, "ts": "1764900000.000100"}, at=now)
    paging.sweep(verdict("orders"), "sweep1")
    paging.deliverer.run_once()
    [event] = pd.accepted()
    assert event.body["links"][0] == {
        "href": f"https://slack.com/archives/{CHANNEL}/p1764900000000100",
        "text": "Alert in Slack",
    }


@pytest.mark.parametrize("answer", [429, 500, 502, 503, None])
def test_rate_limits_server_errors_and_lost_connections_are_retried_with_backoff(
    pd: FakePagerDuty, answer: int | None
) -> None:
    paging = Paging(pd)
    pd.script([answer, answer])
    paging.sweep(verdict("orders"), "sweep1")
    assert paging.deliverer.run_once() == 0
    paging.clock.advance(seconds=1.9)
    assert paging.deliverer.run_once() == 0 and len(pd.events()) == 1  # backoff: 2 s first
    paging.clock.advance(seconds=0.1)
    assert paging.deliverer.run_once() == 0 and len(pd.events()) == 2
    paging.clock.advance(seconds=4)  # then 4 s
    assert paging.deliverer.run_once() == 1
    assert [e.status for e in pd.events()] == [answer, answer, 202]
    assert {e.dedup_key for e in pd.events()} == {KEY}
    assert paging.counted == [("trigger", "retried"), ("trigger", "retried"), ("trigger", "accepted")]


def test_a_400_is_dead_lettered_with_one_line_quoting_pagerduty_and_the_next_event_goes(
    pd: FakePagerDuty,
) -> None:
    paging = Paging(pd)
    pd.script([400])
    with captured_logs("bot") as logs:
        paging.life()
        assert paging.deliverer.run_once() == 3
    assert paging.statuses() == ["dead", "sent", "sent", "sent"]
    [line] = [r.getMessage() for r in logs if r.levelno >= logging.WARNING]
    assert line == (
        "giving up on pagerduty (pagerduty:prod): PagerDuty refused the event (HTTP 400): "
        "Event object is invalid; Scripted refusal"
    )
    assert paging.counted[0] == ("trigger", "rejected")


def test_a_key_pagerduty_does_not_know_is_refused_and_never_quoted(pd: FakePagerDuty) -> None:
    short = "abc123-not-a-key"
    with captured_logs("bot") as logs:
        paging = Paging(pd, key=short)
        paging.sweep(verdict("orders"), "sweep1")
        paging.deliverer.run_once()
    text = "\n".join(r.getMessage() for r in logs)
    assert "the PagerDuty routing key does not look like a PagerDuty routing key (16 characters" in text
    assert "Length of 'routing_key' is incorrect" in text
    assert short not in text and short not in str(paging.store.find_item(paging.keys()[0]))


def test_an_hour_long_outage_loses_nothing_warns_once_and_delivers_in_order(
    pd: FakePagerDuty, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    paging = Paging(pd)
    pd.script([None] * 10_000)  # every connection reset: PagerDuty unreachable
    with captured_logs("bot") as logs:
        paging.life()
        for _ in range(60):
            paging.deliverer.run_once()
            paging.clock.advance(minutes=1)
        down = len(pd.events())
        assert paging.statuses() == ["pending"] * 4 and pd.accepted() == []
        pd.clear_script()
        paging.clock.advance(minutes=15)  # the longest backoff
        assert paging.deliverer.run_once() == 4
    assert [e.action for e in pd.accepted()] == ["trigger", "acknowledge", "trigger", "resolve"]
    warnings = [r.getMessage() for r in logs if r.levelno >= logging.WARNING]
    assert warnings == [
        "PagerDuty unreachable (ConnectionError); pages wait in the outbox and go out in order when it answers"
    ]
    assert any("PagerDuty answers again" in r.getMessage() for r in logs)
    assert 5 <= down <= 15  # backed off: 2, 4, 8 … 900 s, not once a minute
    assert all(ROUTING_KEY not in r.getMessage() for r in logs)
