"""The cutover gate in Slack, end to end in one process: the real Bolt app, the real store and
outbox, the fake Slack Web API over HTTP, the simulator behind ``/dms`` task lookups and a real
local webhook receiver. The gate's answers are scripted (plain Readiness values)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.cutover_watch import CutoverWatches
from bot.settings import Secret, WebhookSettings
from bot.sim import SimServer
from bot.slack.listeners.functions.cutover_gate import CALLBACK_ID
from tests.support.fakes.http_receiver import HttpReceiver, ReceivedRequest
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import function_executed_event
from tests.support.inprocess import CHANNEL, InProcessBot, fault_settings, small_fleet, table
from tests.support.readiness import LAGGING as LAGGING_ANSWER
from tests.support.readiness import ScriptedGate, readiness
from tests.support.simtools import Clock

ROOT = Path(__file__).resolve().parents[3]
HOOK_SECRET = "cutover-hook-secret-0123456789"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as hook:
        yield hook


@pytest.fixture
def bot(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, receiver: HttpReceiver, tmp_path: Path
) -> Iterator[InProcessBot]:
    slack.functions.declare(yaml.safe_load((ROOT / "manifest-workflow.yml").read_text()))
    hook = WebhookSettings(url=Secret(receiver.url), signing_secret=Secret(HOOK_SECRET), retries=0)
    made = InProcessBot(
        start_sim(small_fleet()), slack, fault_settings(slack, webhook=hook), tmp_path / "bot.db"
    )
    yield made
    made.close()


def attach(bot: InProcessBot, gate: ScriptedGate) -> CutoverWatches:
    """The watches over this bot's store and outbox, given to its Slack listeners."""
    watches = CutoverWatches(
        store=bot.store,
        gate=gate,
        clock=bot.clock,
        watch_for=4 * 3600,
        max_lag=5,
        steady=300,
        webhook=True,
        wake=bot.deliverer.wake,
    )
    bot.deps = replace(bot.deps, cutover=watches)
    bot._app = None  # rebuilt with these deps
    return watches


def cutover_events(receiver: HttpReceiver) -> list[ReceivedRequest]:
    """The watch's events (the sweep's report goes to the same webhook)."""
    return [r for r in receiver.requests() if isinstance(r.json, dict) and "event" in r.json]


def orders_arn(bot: InProcessBot) -> str:
    bot.sweep()
    return next(v.task.arn for v in bot.checker.last_report.tasks if v.task.identifier == "orders-cdc")  # type: ignore[union-attr]


def test_the_step_completes_with_the_gates_answer_using_the_executions_token(
    bot: InProcessBot, slack: FakeSlackApi
) -> None:
    arn = orders_arn(bot)
    attach(bot, ScriptedGate().then(readiness(arn=arn)))
    run = slack.functions.start(CALLBACK_ID, {"task": "orders-cdc", "max_lag": "10s"})
    body = function_executed_event(CALLBACK_ID, run.inputs, execution_id=run.id, bot_access_token=run.token)
    bot.dispatch(body, jobs=1)
    [call] = slack.wait_for("functions.completeSuccess")
    assert call.ok and call.headers["authorization"] == f"Bearer {run.token}"
    assert slack.functions.execution(run.id).state == "completed"
    assert slack.functions.execution(run.id).outputs == {
        "ready": True,
        "summary": "orders-cdc is ready to cut over: lag ≤ 10 s for 5 min, 1,204 tables validated, 0 failed rows",
        "blockers": "",
    }
    bot.dispatch(body, jobs=0)  # Slack's retry of the same event: answered once
    assert len(slack.requests("functions.completeSuccess")) == 1


def test_an_unknown_task_ends_the_step_with_one_sentence(bot: InProcessBot, slack: FakeSlackApi) -> None:
    gate = ScriptedGate().then(LAGGING_ANSWER)
    attach(bot, gate)
    run = slack.functions.start(CALLBACK_ID, {"task": "orders-cdx"})
    bot.dispatch(
        function_executed_event(CALLBACK_ID, run.inputs, execution_id=run.id, bot_access_token=run.token),
        jobs=1,
    )
    [call] = slack.wait_for("functions.completeError")
    assert call.ok and slack.functions.execution(run.id).state == "failed"
    assert (
        slack.functions.execution(run.id).error == "Unknown DMS task 'orders-cdx' (did you mean orders-cdc?)."
    )
    assert gate.calls == []


def test_the_fake_rejects_what_slack_rejects(bot: InProcessBot, slack: FakeSlackApi) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.url)
    run = slack.functions.start(CALLBACK_ID, {"task": "orders-cdc"})
    for outputs, error in (
        ({"ready": "yes", "summary": "s", "blockers": ""}, "parameter_validation_failed"),
        ({"ready": True, "summary": "s"}, "parameter_validation_failed"),
        ({"ready": True, "summary": "s", "blockers": "", "extra": 1}, "parameter_validation_failed"),
    ):
        with pytest.raises(SlackApiError) as caught:
            client.functions_completeSuccess(function_execution_id=run.id, outputs=outputs)
        assert caught.value.response["error"] == error
    with pytest.raises(SlackApiError) as caught:
        client.functions_completeError(function_execution_id="Fx404", error="x")
    assert caught.value.response["error"] == "function_execution_not_found"
    client.functions_completeError(function_execution_id=run.id, error="no")
    with pytest.raises(SlackApiError) as caught:
        client.functions_completeSuccess(
            function_execution_id=run.id, outputs={"ready": True, "summary": "", "blockers": ""}
        )
    assert caught.value.response["error"] == "execution_not_in_running_state"


def test_a_watch_posts_in_the_thread_once_across_a_restart_and_signs_its_webhook_event(
    bot: InProcessBot, slack: FakeSlackApi, receiver: HttpReceiver
) -> None:
    arn = orders_arn(bot)
    lagging = replace(LAGGING_ANSWER, task_arn=arn)
    ready = readiness(arn=arn)
    attach(bot, ScriptedGate().then(lagging))
    [answer] = bot.command_posts("ready orders-cdc watch", user="U0ALICE")
    assert "Watching *orders-cdc* until" in json.dumps(answer.body)
    bot.deliver()
    anchor = next(r for r in slack.requests("chat.postMessage") if "Watching orders-cdc" in r.params["text"])
    assert anchor.params["channel"] == CHANNEL and "<@U0ALICE>" in json.dumps(anchor.params["blocks"])

    bot.restart()  # the process dies; the next one finds the watch in the store
    watches = attach(bot, ScriptedGate().then(ready))
    bot.clock.advance(minutes=1)
    assert watches.tick() == 1 and watches.tick() == 0
    bot.deliver()
    [green] = [r for r in slack.requests("chat.postMessage") if r.params.get("thread_ts")]
    assert green.params["thread_ts"] == anchor.response["ts"]
    assert green.params["text"].startswith("orders-cdc is ready to cut over: lag ≤ 5 s for 5 min")
    [event] = cutover_events(receiver)
    assert (
        event.json["event"] == "cutover_ready"
        and event.json["task_arn"] == arn
        and event.json["ready"] is True
    )
    expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), event.body, hashlib.sha256).hexdigest()
    assert event.headers["x-dms-bot-signature"] == expected

    bot.restart()
    again = attach(bot, ScriptedGate().then(ready))
    bot.clock.advance(minutes=1)
    assert again.tick() == 0
    bot.deliver()
    assert len([r for r in slack.requests("chat.postMessage") if r.params.get("thread_ts")]) == 1
    assert len(cutover_events(receiver)) == 1


def test_the_step_and_the_watch_use_the_real_gate_against_the_simulator(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path
) -> None:
    """No scripted answer: the gate reads the simulator's DMS and CloudWatch. orders-cdc lags 40 s,
    so the step says not ready (cdc_latency); the lag drains, and the watch says ready in its thread."""
    slack.functions.declare(yaml.safe_load((ROOT / "manifest-workflow.yml").read_text()))
    lagging = {"tables": [table("sales", "orders")], "cdc_latency_source": 40.0, "cdc_latency_target": 40.0}
    sim = start_sim(small_fleet(**{"orders-cdc": lagging}))
    clock = Clock(now=datetime.fromtimestamp(sim.epoch(), UTC))  # CloudWatch windows on the simulator's time
    bot = InProcessBot(sim, slack, fault_settings(slack), tmp_path / "bot.db", clock=clock)
    try:
        run = slack.functions.start(CALLBACK_ID, {"task": "orders-cdc"})
        bot.dispatch(
            function_executed_event(CALLBACK_ID, run.inputs, execution_id=run.id, bot_access_token=run.token),
            jobs=1,
        )
        slack.wait_for("functions.completeSuccess")
        outputs = slack.functions.execution(run.id).outputs
        assert outputs is not None and outputs["ready"] is False
        assert outputs["blockers"].startswith("cdc_latency: ")

        bot.command_posts("ready orders-cdc watch", user="U0ALICE")
        bot.deliver()
        sim.set_cdc_latency("orders-cdc", source=1.0, target=1.0)
        bot.clock.advance(minutes=6)
        sim.advance(6 * 60)
        assert bot.services.watches.tick() == 1
        bot.deliver()
        [green] = [r for r in slack.requests("chat.postMessage") if r.params.get("thread_ts")]
        assert green.params["text"].startswith("orders-cdc is ready to cut over: lag ≤ 5 s for 5 min")
    finally:
        bot.close()


def test_a_refused_cutover_event_is_retried_with_the_same_idempotency_key(
    bot: InProcessBot, receiver: HttpReceiver
) -> None:
    arn = orders_arn(bot)
    watches = attach(bot, ScriptedGate().then(replace(LAGGING_ANSWER, task_arn=arn), readiness(arn=arn)))
    bot.command_posts("ready orders-cdc watch", user="U0ALICE")
    bot.deliver()
    receiver.script([503])
    bot.clock.advance(minutes=1)
    assert watches.tick() == 1
    bot.deliver()
    assert [r.answered for r in cutover_events(receiver)] == [503]
    bot.deliver(advance_seconds=60)  # the outbox's backoff has passed
    first, second = cutover_events(receiver)
    assert second.answered == 200 and second.body == first.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
