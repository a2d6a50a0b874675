"""Paging on-call end to end, in one process: the real sweep against the simulator, the real store,
the outbox delivering to the fake Slack API and to a real local PagerDuty Events API v2 receiver,
and the real Bolt app for the Acknowledge click.

One incident's life: trigger (with the Slack alert's permalink), acknowledge (the click), trigger
again when a table joins, resolve on recovery; one dedup_key throughout; the routing key in every
event PagerDuty received and nowhere in the logs, the report or the outbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.core.report import to_document
from bot.render.buttons import Action
from bot.settings import PagerDutySettings, Secret
from bot.sim import Scenario, SimServer
from tests.scenarios.faults.conftest import MakeBot, make_bot, slack  # noqa: F401  (the in-process bot)
from tests.support.fakes.pagerduty import ROUTING_KEY, Event, FakePagerDuty
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import CHANNEL, InProcessBot, captured_logs, fault_settings, posts_about
from tests.support.simtools import REGION

TASK = "orders-cdc"


def scenario() -> Scenario:
    """orders is mismatched until 20 min; lines is mismatched from 10 to 20 min."""
    tables = [
        {"schema": "sales", "name": "orders", "validation_state": "Mismatched records", "failed_records": 3,
         "changes": [{"at": "20m", "validation_state": "Validated", "failed_records": 0}]},
        {"schema": "sales", "name": "lines",
         "changes": [{"at": "10m", "validation_state": "Mismatched records", "failed_records": 1},
                     {"at": "20m", "validation_state": "Validated", "failed_records": 0}]},
    ]  # fmt: skip
    spec = {"id": TASK, "migration_type": "cdc", "tables": tables}
    return Scenario.from_dict({"simulator": {"region": REGION}, "tasks": [spec]})


@pytest.fixture
def pd() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as fake:
        yield fake


def paging_bot(factory: MakeBot, fake: FakeSlackApi, pd: FakePagerDuty, sim: SimServer) -> InProcessBot:
    paging = PagerDutySettings(routing_key=Secret(ROUTING_KEY), url=pd.url, timeout=2.0)
    return factory(sim=sim, settings=replace(fault_settings(fake), pagerduty=paging))


def masked(event: Event) -> dict[str, Any]:
    return {**event.body, "routing_key": "********"}


def test_one_incident_life_pages_trigger_ack_trigger_resolve_under_one_dedup_key(
    make_bot: MakeBot,  # noqa: F811
    slack: FakeSlackApi,  # noqa: F811
    pd: FakePagerDuty,
    start_sim: Callable[..., SimServer],
) -> None:
    bot = paging_bot(make_bot, slack, pd, start_sim(scenario()))
    with captured_logs() as logs:
        first = bot.sweep(advance_minutes=1)  # opens: the Slack post, then the trigger
        [post] = posts_about(slack, TASK)
        ack = next(
            e
            for b in post.params["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == Action.ACK
        )
        bot.click(
            Action.ACK, ack["value"], channel_id=CHANNEL, message_ts=post.response["ts"], user_id="U0OWNER"
        )
        bot.deliver()
        bot.sweep(advance_minutes=10)  # lines joins the incident: trigger again
        bot.sweep(advance_minutes=10)  # recovered: resolve
    events = pd.accepted()
    print("\nPagerDuty events for one incident's life (routing key masked):")
    for event in events:
        print(json.dumps(masked(event), indent=2))
    assert [e.action for e in events] == ["trigger", "acknowledge", "trigger", "resolve"]
    arn = first.tasks[0].task.arn
    assert {e.dedup_key for e in events} == {f"dms-validation-bot:{arn}:1"}
    assert all(e.body["routing_key"] == ROUTING_KEY for e in events)
    opened, worse = events[0].body, events[2].body
    ts = post.response["ts"].replace(".", "")
    assert opened["links"][0] == {
        "href": f"https://slack.com/archives/{CHANNEL}/p{ts}",
        "text": "Alert in Slack",
    }
    assert opened["payload"]["summary"].startswith(f"DMS validation failure: {TASK} (demo): ")
    assert opened["payload"]["severity"] == "critical"
    assert [t["table"] for t in opened["payload"]["custom_details"]["problem_tables"]] == ["orders"]
    assert sorted(t["table"] for t in worse["payload"]["custom_details"]["problem_tables"]) == [
        "lines",
        "orders",
    ]
    assert (
        worse["payload"]["summary"] == f"DMS validation failure: {TASK} (demo): 2 tables Mismatched records"
    )
    assert len(posts_about(slack, TASK)) == 1
    everything = "\n".join(r.getMessage() for r in logs) + json.dumps(to_document(first))
    assert ROUTING_KEY not in everything
    assert not [r.getMessage() for r in logs if r.levelno >= logging.WARNING]
    assert (
        bot.ops.metrics.render()
        .decode()
        .count('dms_bot_pagerduty_events_total{action="trigger",outcome="accepted"} 2.0')
        == 1
    )


def test_no_routing_key_no_page(
    make_bot: MakeBot,  # noqa: F811
    slack: FakeSlackApi,  # noqa: F811
    pd: FakePagerDuty,
    start_sim: Callable[..., SimServer],
) -> None:
    settings = replace(fault_settings(slack), pagerduty=PagerDutySettings(url=pd.url))
    bot = make_bot(sim=start_sim(scenario()), settings=settings)
    bot.sweep(advance_minutes=1)
    assert len(posts_about(slack, TASK)) == 1 and pd.events() == []
