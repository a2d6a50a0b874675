"""The ``dms_cutover_gate`` step without Slack: inputs in, ``complete(outputs)`` or one clear
``fail`` sentence out, whatever the input or DMS does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from slack_bolt import Complete, Fail

from bot.app.cutover_watch import CutoverWatches
from bot.app.questions import Ambiguous, NotFound
from bot.errors import DmsUnavailable
from bot.slack.listeners.functions.cutover_gate import cutover_gate_step
from bot.store.sql import SqlStore
from tests.support.readiness import LAGGING, READY, ScriptedGate
from tests.support.simtools import Clock
from tests.unit.slack.listeners.stubs import ARN, Wiring


class Completion:
    def __init__(self) -> None:
        self.outputs: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def complete(self, outputs: dict[str, Any] | None = None) -> None:
        self.outputs.append(outputs or {})

    def fail(self, error: str) -> None:
        self.errors.append(error)


@pytest.fixture
def store() -> Iterator[SqlStore]:
    with SqlStore(":memory:") as opened:
        yield opened


def run(
    store: SqlStore, inputs: dict[str, Any], *answers: Any, w: Wiring | None = None
) -> tuple[Completion, ScriptedGate]:
    gate = ScriptedGate().then(*(answers or (READY,)))
    service = CutoverWatches(store=store, gate=gate, clock=Clock(), watch_for=3600, max_lag=5, steady=300)
    w = w or Wiring()
    w.cutover = service
    done = Completion()
    cutover_gate_step(
        inputs=inputs, complete=cast(Complete, done.complete), fail=cast(Fail, done.fail), deps=w.deps
    )
    return done, gate


def test_a_ready_task_completes_with_ready_true_and_the_summary(store: SqlStore) -> None:
    done, gate = run(store, {"task": "orders-cdc"})
    assert done.errors == [] and gate.calls[0]["ref"] == ARN and gate.calls[0]["max_lag"] is None
    assert done.outputs == [
        {
            "ready": True,
            "summary": "orders-cdc is ready to cut over: lag ≤ 5 s for 5 min, 1,204 tables validated, 0 failed rows",
            "blockers": "",
        }
    ]


def test_a_lagging_task_completes_with_its_blockers_and_max_lag_is_passed_on(store: SqlStore) -> None:
    done, gate = run(store, {"task": "orders-cdc", "max_lag": "30s"}, LAGGING)
    assert gate.calls[0]["max_lag"] == 30
    [out] = done.outputs
    assert out["ready"] is False and out["blockers"] == "cdc_latency: CDCLatencyTarget 41 s at 09:12 > 5 s"


def test_max_lag_zero_is_aws_letter_and_is_passed_on(store: SqlStore) -> None:
    done, gate = run(store, {"task": "orders-cdc", "max_lag": "0s"})
    assert gate.calls[0]["max_lag"] == 0 and "lag ≤ 0 s for 5 min" in done.outputs[0]["summary"]


def test_an_unknown_task_fails_with_did_you_mean(store: SqlStore) -> None:
    w = Wiring()
    w.questions.lookup = NotFound("orders-cd", ("orders-cdc",))
    done, gate = run(store, {"task": "orders-cd"}, w=w)
    assert done.errors == ["Unknown DMS task 'orders-cd' (did you mean orders-cdc?)."] and gate.calls == []


def test_an_ambiguous_task_fails_naming_the_candidates(store: SqlStore) -> None:
    w = Wiring()
    w.questions.lookup = Ambiguous("orders", ("orders-cdc", "orders-full"))
    done, _ = run(store, {"task": "orders"}, w=w)
    assert done.errors == [
        "'orders' matches several DMS tasks (orders-cdc, orders-full): use the full identifier."
    ]


def test_dms_unreachable_fails_with_one_sentence(store: SqlStore) -> None:
    done, _ = run(
        store, {"task": "orders-cdc"}, DmsUnavailable("DMS could not be reached (EndpointConnectionError)")
    )
    assert done.outputs == []
    assert done.errors == [
        "The cutover gate could not judge orders-cdc: DMS could not be reached (EndpointConnectionError)"
    ]


@pytest.mark.parametrize(
    ("inputs", "sentence"),
    [
        ({}, "The step needs a task"),
        ({"task": "   "}, "The step needs a task"),
        ({"task": 12}, "The step needs a task"),
        ({"task": "orders-cdc", "max_lag": "soon"}, "max_lag 'soon' is not a duration like '5s' or '1m'."),
        ({"task": "orders-cdc", "max_lag": "-5s"}, "max_lag '-5s' is not a duration"),
    ],
)
def test_bad_input_fails_with_one_sentence_and_asks_nothing(
    store: SqlStore, inputs: dict[str, Any], sentence: str
) -> None:
    done, gate = run(store, inputs)
    assert len(done.errors) == 1 and done.errors[0].startswith(sentence) and gate.calls == []


def test_a_bug_still_ends_the_step(store: SqlStore) -> None:
    done, _ = run(store, {"task": "orders-cdc"}, ZeroDivisionError())
    assert done.errors == ["The DMS bot failed while judging the cutover gate; its log has the details."]


def test_without_a_gate_the_step_fails_saying_so() -> None:
    done = Completion()
    deps = Wiring().deps
    cutover_gate_step(
        inputs={"task": "x"}, complete=cast(Complete, done.complete), fail=cast(Fail, done.fail), deps=deps
    )
    assert done.errors == ["The cutover gate is not available in this DMS bot."]
