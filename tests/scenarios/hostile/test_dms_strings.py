"""Every string DMS returns is input: schema and table names, ValidationStateDetails, states, task
identifiers and statuses, LastFailureMessage, StopReason and the messages of DMS errors. Whatever
they hold, the sweep completes, every alert Slack receives is accepted and inert, the terminal
report has no control characters, and the webhook document is valid JSON."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.report import to_document
from bot.deliver.webhook import encode
from bot.render.terminal import render_report
from bot.settings import Secret, WebhookSettings
from bot.sim import FaultRule, Scenario
from tests.scenarios.faults.conftest import MakeBot
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.hostile_strategies import MARKUP, hostile_text
from tests.support.inprocess import InProcessBot, answer_text
from tests.support.render.limits import assert_safe
from tests.support.simtools import REGION

STATS, LIST = "DescribeTableStatistics", "DescribeReplicationTasks"
TABLE_FIELDS = ("SchemaName", "TableName", "ValidationStateDetails", "ValidationState", "TableState")
TASK_FIELDS = ("ReplicationTaskIdentifier", "Status", "LastFailureMessage", "StopReason")


def fleet() -> Scenario:
    """bad-cdc fails validation, failed-cdc has failed, plain-cdc is healthy (until told otherwise)."""
    table: dict[str, Any] = {"schema": "s", "details": "d", "failed_records": 3}
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [
                {"id": "bad-cdc", "tables": [{**table, "name": "t1"}, {**table, "name": "t2"}]},
                {
                    "id": "failed-cdc",
                    "status": "failed",
                    "last_failure_message": "m",
                    "stop_reason": "r",
                    "tables": [{"schema": "s", "name": "t"}],
                },
                {"id": "plain-cdc", "tables": [{"schema": "s", "name": "t"}]},
            ],
        }
    )


def hostile_rules(values: dict[str, str]) -> list[FaultRule]:
    rules = [
        FaultRule(kind="unknown_enum", op=STATS, task="bad-cdc", fields=(f,), value=values[f])
        for f in TABLE_FIELDS
    ]
    rules += [
        FaultRule(kind="unknown_enum", op=LIST, task="failed-cdc", fields=(f,), value=values[f])
        for f in TASK_FIELDS
    ]
    rules.append(FaultRule(kind="access_denied", op=STATS, task="plain-cdc", message=values["error"]))
    return rules


def assert_everything_safe(bot: InProcessBot, seen: int) -> int:
    """Every Slack call since ``seen``: accepted by the fake (limits) and free of injected markup."""
    calls = bot.slack.requests()
    for call in calls[seen:]:
        if call.method in ("chat.postMessage", "chat.update"):
            assert call.ok, (call.method, call.error)
            assert_safe(call.params)
    return len(calls)


def assert_terminal_safe(text: str) -> None:
    bad = {ch for ch in text.replace("\n", "") if unicodedata.category(ch) in ("Cc", "Cf", "Cs")}
    assert not bad, f"control characters in the terminal report: {bad}"


@pytest.fixture
def bot(make_bot: MakeBot, receiver: HttpReceiver) -> InProcessBot:
    return make_bot(scenario=fleet(), webhook=WebhookSettings(url=Secret(receiver.url)))


def test_hostile_strings_in_every_dms_field(bot: InProcessBot, receiver: HttpReceiver) -> None:
    """Hypothesis over every DMS string field at once, two sweeps each (so errors alert too)."""
    seen = 0

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.fixed_dictionaries({f: hostile_text for f in (*TABLE_FIELDS, *TASK_FIELDS, "error")}))
    def check(values: dict[str, str]) -> None:
        nonlocal seen
        bot.sim.set_faults(hostile_rules(values))
        for _ in range(2):
            report = bot.sweep()
            assert {v.task.arn for v in report.tasks} | {e.task_arn for e in report.errors} != set()
            assert_terminal_safe(render_report(report))
            json.loads(encode(to_document(report)))
        assert [e.kind for e in report.errors] == ["AccessDeniedFault"]
        for text in ("status bad-cdc", "tables bad-cdc", "status plain-cdc", "status"):
            answer = bot.command(text)
            assert answer.status == 200 and answer.body is not None, answer_text(answer)
            assert_safe(answer.body)
        seen = assert_everything_safe(bot, seen)
        assert bot.executor.escaped == []

    check()
    assert all(r.answered == 200 for r in receiver.requests())
    assert bot.store.outbox_stats(bot.clock())[0] == 0  # everything was delivered, nothing refused


def test_each_markup_token_in_each_field(bot: InProcessBot) -> None:
    """The known markup tricks, one at a time, in every field: inert everywhere."""
    seen = 0
    for token in MARKUP:
        bot.sim.set_faults(hostile_rules(dict.fromkeys((*TABLE_FIELDS, *TASK_FIELDS, "error"), token)))
        report = bot.sweep()
        assert_terminal_safe(render_report(report))
        seen = assert_everything_safe(bot, seen)


def test_a_hostile_task_arn_from_dms(bot: InProcessBot) -> None:
    """DMS listing a task under a hostile non-ARN: the sweep completes and every message is inert."""
    seen = 0
    for value in ("<!channel>", "arn:aws:dms:eu-west-1:1:task:<@U1>", "x" * 10_000, "\u202e\x00|>"):
        bot.sim.set_faults(
            [
                FaultRule(
                    kind="unknown_enum",
                    op=LIST,
                    task="plain-cdc",
                    fields=("ReplicationTaskArn",),
                    value=value,
                )
            ]
        )
        for _ in range(2):
            report = bot.sweep()
            assert_terminal_safe(render_report(report))
        seen = assert_everything_safe(bot, seen)
        answer = bot.command("status plain-cdc")
        assert answer.status == 200 and answer.body is not None
        assert_safe(answer.body)
    assert bot.executor.escaped == []
