"""Workflow Builder custom steps in the fake Slack: executions, their just-in-time tokens, and
``functions.completeSuccess`` / ``functions.completeError`` rejecting what real Slack rejects.

Declare the app's functions from its manifest (``declare``), start an execution (``start``: what
Slack does before it sends ``function_executed``), then read how the bot completed it. Errors, from
Slack's method reference (reference/slack-steps-and-paging.md §A): an unknown execution is
``function_execution_not_found``; a second completion ``execution_not_in_running_state``; outputs
that do not match the manifest's ``output_parameters`` ``parameter_validation_failed``; a
completeError without its ``error`` string ``invalid_arguments``.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes.slack_types import SlackError

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


@dataclass
class Execution:
    id: str
    callback_id: str
    inputs: dict[str, Any]
    token: str  # the bot_access_token Slack hands the step for this execution
    state: str = "running"  # "running" | "completed" | "failed"
    outputs: dict[str, Any] | None = None
    error: str | None = None
    rejected: list[str] = field(default_factory=list)  # errors answered to completion attempts


class SlackFunctions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outputs: dict[str, dict[str, Any]] = {}
        self._executions: dict[str, Execution] = {}
        self._ids = itertools.count(1)

    def declare(self, manifest: dict[str, Any]) -> None:
        """The functions (and their output parameters) a manifest declares."""
        for callback_id, spec in (manifest.get("functions") or {}).items():
            self._outputs[callback_id] = spec.get("output_parameters") or {}

    def start(self, callback_id: str, inputs: dict[str, Any]) -> Execution:
        if callback_id not in self._outputs:
            raise ValueError(f"{callback_id} is not declared in the manifest")
        n = next(self._ids)
        execution = Execution(f"Fx{n:010d}", callback_id, dict(inputs), f"xwfp-fake-{n:06d}")
        with self._lock:
            self._executions[execution.id] = execution
        return execution

    def execution(self, execution_id: str) -> Execution:
        with self._lock:
            return self._executions[execution_id]

    def accepts(self, token: str) -> bool:
        """Whether ``token`` is an execution's just-in-time token (usable like the bot token)."""
        with self._lock:
            return any(e.token == token for e in self._executions.values())

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            execution = self._executions.get(str(params.get("function_execution_id", "")))
            if execution is None:
                raise SlackError("function_execution_not_found")
            try:
                self._complete(execution, method, params)
            except SlackError as exc:
                execution.rejected.append(exc.error)
                raise
        return {}

    def _complete(self, execution: Execution, method: str, params: dict[str, Any]) -> None:
        if execution.state != "running":
            raise SlackError("execution_not_in_running_state")
        if method == "functions.completeSuccess":
            execution.outputs = self._checked(execution.callback_id, params.get("outputs"))
            execution.state = "completed"
        elif method == "functions.completeError":
            error = params.get("error")
            if not isinstance(error, str) or not error.strip():
                raise SlackError("invalid_arguments")
            execution.error, execution.state = error, "failed"
        else:
            raise SlackError("unknown_method")

    def _checked(self, callback_id: str, raw: Any) -> dict[str, Any]:
        try:
            outputs = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(outputs, dict):
            raise SlackError("invalid_arguments")
        declared = self._outputs[callback_id]
        missing = [n for n, p in declared.items() if p.get("is_required") and n not in outputs]
        unknown = [n for n in outputs if n not in declared]
        wrong = [
            n
            for n, value in outputs.items()
            if n in declared
            and (
                not isinstance(value, _TYPES.get(declared[n]["type"], (object,)))
                or (declared[n]["type"] in ("integer", "number") and isinstance(value, bool))
            )
        ]
        if missing or unknown or wrong:
            raise SlackError(
                "parameter_validation_failed", missing=missing, unknown=unknown, wrong_type=wrong
            )
        return outputs
