"""``/dms ready TASK [watch]``: the gate's checks in Block Kit, blockers first, with a "Tell me when
ready" button; ``watch`` starts one watch per task (its first post in the channel, through the
outbox) or names whoever already watches. The gate is a scripted one; the watches are the real
service on a real (in-memory SQLite) store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.app.cutover_watch import CutoverWatches
from bot.app.questions import NotFound
from bot.aws.budget import Priority
from bot.core.readiness import CheckName, CheckStatus
from bot.errors import DmsUnavailable
from bot.render.buttons import Action
from bot.slack.listeners.commands.dms import dms_command
from bot.store.sql import SqlStore
from tests.support.fakes.slack_payloads import slash_command_body
from tests.support.readiness import ScriptedGate, readiness
from tests.support.simtools import Clock
from tests.unit.slack.listeners.stubs import ARN, CHANNEL, USER, Wiring

LAGGING = readiness(
    (CheckName.CDC_LATENCY, CheckStatus.FAIL, "CDCLatencyTarget 41 s at 09:12 > 5 s <!channel>"),
    (CheckName.FAILED_ROWS, CheckStatus.UNKNOWN, "orders-target: cannot connect"),
    task_id="billing-cdc",
    arn=ARN,
)
READY = readiness(task_id="billing-cdc", arn=ARN)


@pytest.fixture
def store() -> Iterator[SqlStore]:
    with SqlStore(":memory:") as opened:
        yield opened


def wiring(store: SqlStore, *answers: Any) -> tuple[Wiring, ScriptedGate]:
    gate = ScriptedGate().then(*(answers or (LAGGING,)))
    clock = Clock()
    service = CutoverWatches(store=store, gate=gate, clock=clock, watch_for=4 * 3600, max_lag=5, steady=300)
    return Wiring(cutover=service, clock=clock), gate


def run(w: Wiring, text: str, **kw: Any) -> None:
    kw.setdefault("user_id", USER)
    kw.setdefault("channel_id", CHANNEL)
    body = slash_command_body(text=text, **kw)
    dms_command(body=body, respond=w.respond.as_respond, client=w.client.as_web_client, deps=w.deps)


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_ready_answers_every_check_blockers_first_with_the_watch_button(store: SqlStore) -> None:
    w, gate = wiring(store)
    run(w, "ready billing-cdc")
    assert w.questions.called("find") == [(("billing-cdc",), {})]
    assert gate.calls == [
        {"ref": ARN, "max_lag": None, "steady": None, "since": None, "level": Priority.INTERACTIVE}
    ]
    reply = w.respond.only()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "billing-cdc: not ready to cut over (2 blockers)"
    lines = "\n".join(section_texts(reply["blocks"])).splitlines()
    checks = [line for line in lines if line[:1] in "✓✗?\u2013"]
    assert checks[0].startswith("✗ *cdc_latency*") and checks[1].startswith("? *failed_rows*")
    assert len(checks) == 9 and all(c.startswith("✓") for c in checks[2:])
    assert "&lt;!channel&gt;" in checks[0] and "<!channel>" not in json.dumps(reply["blocks"])
    [actions] = [b for b in reply["blocks"] if b["type"] == "actions"]
    button = actions["elements"][0]
    assert button["action_id"] == Action.WATCH_READY and json.loads(button["value"]) == {
        "scope": "task",
        "task": ARN,
    }


def test_a_ready_task_says_so_and_shows_the_peoples_checklist(store: SqlStore) -> None:
    w, _ = wiring(store, READY)
    run(w, "ready billing-cdc")
    text = w.respond.text()
    assert "billing-cdc: ready to cut over" in text and "Sequences reset on the target" in text


def test_watch_starts_one_watch_and_a_second_names_who_already_watches(store: SqlStore) -> None:
    w, _ = wiring(store)
    run(w, "ready billing-cdc watch")
    assert "Watching *billing-cdc* until" in w.respond.text()
    [watch] = store.active_watches()
    assert (watch.started_by, watch.channel, watch.task_arn) == (USER, CHANNEL, ARN)
    anchor = store.find_item(f"cutover:{watch.id}:start")
    assert anchor is not None and anchor.payload["channel"] == CHANNEL
    run(w, "ready billing-cdc watch", user_id="U0BOB")
    assert f"<@{USER}> is already watching *billing-cdc*" in w.respond.text()
    assert len(store.active_watches()) == 1
    run(w, "ready billing-cdc")  # the answer names the watcher instead of offering the button
    blocks = w.respond.calls[-1]["blocks"]
    assert not [b for b in blocks if b["type"] == "actions"]
    assert f"<@{USER}> is watching since" in json.dumps(blocks)


def test_an_unknown_task_gets_the_close_names_and_the_gate_is_not_asked(store: SqlStore) -> None:
    w, gate = wiring(store)
    w.questions.lookup = NotFound("billing-cd", ("billing-cdc",))
    run(w, "ready billing-cd")
    assert "Did you mean *billing-cdc*" in w.respond.text() and gate.calls == []


def test_dms_unreachable_is_one_honest_line(store: SqlStore) -> None:
    w, _ = wiring(store, DmsUnavailable("DMS could not be reached (EndpointConnectionError)"))
    run(w, "ready billing-cdc watch")
    assert "DMS could not be reached" in w.respond.only()["text"] and store.active_watches() == []


@pytest.mark.parametrize("text", ["ready", "ready billing-cdc now", "ready a b c"])
def test_bad_ready_input_shows_help_without_asking(store: SqlStore, text: str) -> None:
    w, gate = wiring(store)
    run(w, text)
    assert "ready" in w.respond.text() and gate.calls == [] and w.questions.calls == []


def test_without_a_gate_the_answer_says_so(store: SqlStore) -> None:
    w = Wiring()
    run(w, "ready billing-cdc")
    assert "cutover gate is not available" in w.respond.only()["text"]
