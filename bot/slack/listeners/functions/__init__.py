"""Workflow Builder custom steps (``app.function``): the cutover gate as a step of a workflow."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Complete, Fail

from bot.slack.deps import Deps
from bot.slack.listeners.functions.cutover_gate import CALLBACK_ID, cutover_gate_step


def register(app: App, deps: Deps) -> None:
    def cutover_gate(inputs: dict[str, Any], complete: Complete, fail: Fail) -> None:
        cutover_gate_step(inputs=inputs, complete=complete, fail=fail, deps=deps)

    # acknowledged at once (Slack wants it within 3 s); the gate is judged on the listener executor
    app.function(CALLBACK_ID)(cutover_gate)
