"""The request pipeline shared by HTTP and tests: count, delay, throttle, inject faults, serve."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.sim.clock import SimClock, TokenBucket
from bot.sim.cloudwatch import OPERATIONS as CLOUDWATCH_OPERATIONS
from bot.sim.errors import SimError
from bot.sim.faults import ITEM_KINDS, PRELUDE_KINDS, TERMINAL_KINDS, FaultBook, FaultRule
from bot.sim.instances import OPERATIONS as INSTANCE_OPERATIONS
from bot.sim.model import Scenario
from bot.sim.ops import OPERATIONS as TASK_OPERATIONS
from bot.sim.serverless_ops import OPERATIONS as SERVERLESS_OPERATIONS
from bot.sim.state import SimState

Latency = float | Mapping[str, float]
OPERATIONS = {**TASK_OPERATIONS, **INSTANCE_OPERATIONS, **SERVERLESS_OPERATIONS}
COUNTER_KINDS = ("calls", "throttled", "errors", "cloudwatch", "cloudwatch_errors")
_TERMINAL_REPLIES = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "http_500": (500, "InternalFailure", "The request processing has failed because of an unknown error"),
    "http_503": (
        503,
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server",
    ),
    "invalid_state": (
        400,
        "InvalidResourceStateFault",
        "The resource is in a state that prevents this operation",
    ),
    "access_denied": (
        400,
        "AccessDeniedFault",
        "User is not authorized to perform this operation on the replication task",
    ),
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What the HTTP layer sends back; ``reset`` means drop the connection without an answer."""

    status: int
    body: dict[str, Any] | None
    reset: bool = False
    headers: tuple[tuple[str, str], ...] = ()


def error_body(code: str, message: str) -> dict[str, Any]:
    """The awsJson1.1 error shape botocore parses."""
    return {"__type": code, "message": message}


class Counters:
    """Per-operation request counts; every request is a call, throttles and errors are also counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {kind: Counter() for kind in COUNTER_KINDS}

    def add(self, kind: str, op: str) -> None:
        with self._lock:
            self._counts[kind][op] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {kind: dict(counts) for kind, counts in self._counts.items()}

    def reset(self) -> None:
        with self._lock:
            for counts in self._counts.values():
                counts.clear()


class Engine:
    """Owns the state, clock, bucket, faults and counters; ``handle`` serves one DMS request."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        clock: SimClock,
        bucket: TokenBucket,
        latency: Latency = 0.0,
        epoch0: float | None = None,
    ) -> None:
        self.clock = clock
        self.state = SimState(scenario, clock.now, time.time() if epoch0 is None else epoch0)
        self.bucket = bucket
        self.faults = FaultBook()
        self.counters = Counters()
        self.latency = latency

    def handle(self, op: str, body: bytes) -> Reply:
        """Serve one request for ``op`` with the JSON ``body``, as DMS would (plus injected faults)."""
        self.counters.add("calls", op)
        delay = self.latency.get(op, 0.0) if isinstance(self.latency, Mapping) else self.latency
        if delay > 0:
            time.sleep(delay)
        if not self.bucket.take():
            return self._terminal(op, "throttle", None)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = None
        if not isinstance(params, dict):
            return self._error(
                op, SimError("SerializationException", "The request body is not a JSON object")
            )
        names = self._names(params)
        for rule in self.faults.fire(op, PRELUDE_KINDS, names.__contains__):
            self._prelude(rule)
        terminal = self.faults.fire(op, TERMINAL_KINDS, names.__contains__, first_only=True)
        if terminal:
            return self._terminal(op, terminal[0].kind, terminal[0].message)
        return self._serve(op, params, names)

    def handle_cloudwatch(self, op: str, body: bytes) -> Reply:
        """Serve one CloudWatch request: counted and delayed like DMS calls, but outside DMS's token
        bucket (CloudWatch has its own quota), and only fault rules naming the operation fire. Its
        calls are counted apart (``cloudwatch``), so ``calls`` stays the DMS calls a sweep made."""
        self.counters.add("cloudwatch", op)
        delay = self.latency.get(op, 0.0) if isinstance(self.latency, Mapping) else self.latency
        if delay > 0:
            time.sleep(delay)
        terminal = self.faults.fire(op, TERMINAL_KINDS, lambda _: False, first_only=True, explicit_only=True)
        if terminal:
            kind, message = terminal[0].kind, terminal[0].message
            if kind == "reset":
                return self._terminal(op, kind, message)
            status, code, text = _CLOUDWATCH_FAULTS.get(kind, _TERMINAL_REPLIES[kind])
            self.counters.add("cloudwatch_errors", op)
            return _cloudwatch_error(SimError(code, message or text, status=status))
        handler = CLOUDWATCH_OPERATIONS.get(op)
        try:
            params = json.loads(body or b"{}")
            if handler is None or not isinstance(params, dict):
                raise SimError("InvalidAction", f"Could not find operation {op or '(none)'}")
            with self.state.lock:
                return Reply(200, handler(self.state, params))
        except ValueError:
            error = SimError("SerializationException", "The request body is not JSON")
        except SimError as exc:
            error = exc
        self.counters.add("errors", op)
        return _cloudwatch_error(error)

    def set_cdc_latency(self, ref: str, *, source: float | None, target: float | None) -> None:
        """A scenario change, now, of the task's CloudWatch CDC latency (None: no datapoints)."""
        for value in (source, target):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise ValueError(f"latency must be a number of seconds >= 0 or null, got {value!r}")
        with self.state.lock:
            task = self.state.lookup(ref)
            if task is None:
                raise KeyError(f"no task {ref!r}")
            fields = {"cdc_latency_source": source, "cdc_latency_target": target}
            self.state.add_task_event(task, self.clock.now(), fields)

    def set_faults(self, rules: Iterable[FaultRule]) -> None:
        """Replace the fault rules (an empty list clears them)."""
        self.faults.replace(rules)

    def _serve(self, op: str, params: dict[str, Any], names: set[str]) -> Reply:
        handler = OPERATIONS.get(op)
        if handler is None:
            return self._error(
                op, SimError("UnknownOperationException", f"Unknown operation {op or '(none)'}")
            )
        try:
            with self.state.lock:
                response = handler(self.state, params)
        except SimError as exc:
            return self._error(op, exc)
        self._alter_items(op, response, names)
        return Reply(200, response)

    def _names(self, params: Mapping[str, Any]) -> set[str]:
        """ARNs and identifiers of the tasks a request names, for task-restricted fault rules."""
        refs: list[object] = [params.get("ReplicationTaskArn"), params.get("ReplicationConfigArn")]
        filters = params.get("Filters")
        for entry in filters if isinstance(filters, list) else []:
            if isinstance(entry, Mapping) and entry.get("Name") in _NAMING_FILTERS:
                values = entry.get("Values")
                refs.extend(values if isinstance(values, list) else [])
        names: set[str] = set()
        for ref in refs:
            if isinstance(ref, str):
                names.add(ref)
                task = self.state.lookup(ref)
                if task is not None:
                    names.update((task.spec.arn, task.spec.identifier))
        return names

    def _prelude(self, rule: FaultRule) -> None:
        if rule.kind == "delay":
            time.sleep(rule.seconds)
        elif rule.kind == "delete_task" and rule.task:
            self.state.delete(rule.task)

    def _terminal(self, op: str, kind: str, message: str | None) -> Reply:
        if kind == "reset":
            self.counters.add("errors", op)
            return Reply(0, None, reset=True)
        status, code, default = _TERMINAL_REPLIES[kind]
        self.counters.add("throttled" if kind == "throttle" else "errors", op)
        return Reply(status, error_body(code, default if message is None else message))

    def _error(self, op: str, exc: SimError) -> Reply:
        self.counters.add("errors", op)
        return Reply(exc.status, error_body(exc.code, exc.message))

    def _alter_items(self, op: str, response: dict[str, Any], names: set[str]) -> None:
        """Apply missing_fields / unknown_enum rules to the items of a served response."""
        listing = "ReplicationTasks" if "ReplicationTasks" in response else "Replications"
        if listing in response:
            items: list[dict[str, Any]] = response[listing]
            listed = {str(item.get(key)) for item in items for key in _TASK_KEYS}
            for rule in self.faults.fire(op, ITEM_KINDS, listed.__contains__):
                for item in items:
                    if rule.task is None or rule.task in (item.get(key) for key in _TASK_KEYS):
                        _apply(rule, item)
            return
        items = (
            response.get("TableStatistics")
            or response.get("ReplicationTableStatistics")
            or [response.get("ReplicationTask") or {}]
        )
        for rule in self.faults.fire(op, ITEM_KINDS, names.__contains__):
            for item in items:
                _apply(rule, item)


_TASK_KEYS = (
    "ReplicationTaskArn",
    "ReplicationTaskIdentifier",
    "ReplicationConfigArn",
    "ReplicationConfigIdentifier",
)
_NAMING_FILTERS = (
    "replication-task-arn",
    "replication-task-id",
    "replication-config-arn",
    "replication-config-id",
)
# CloudWatch's own codes for the faults that have one (its query-protocol codes).
_CLOUDWATCH_FAULTS = {
    "throttle": (400, "Throttling", "Rate exceeded"),
    "access_denied": (
        400,
        "AccessDenied",
        "User is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows it",
    ),
}


def _cloudwatch_error(error: SimError) -> Reply:
    """awsJson1.0 error of an awsQueryCompatible service: botocore reads the code from the header."""
    fault = "Receiver" if error.status >= 500 else "Sender"
    return Reply(
        error.status,
        {"__type": f"com.amazonaws.cloudwatch#{error.code}", "message": error.message},
        headers=(("x-amzn-query-error", f"{error.code};{fault}"),),
    )


def _apply(rule: FaultRule, item: dict[str, Any]) -> None:
    for key in rule.removed_fields():
        if key in item:
            if rule.kind == "missing_fields":
                del item[key]
            else:
                item[key] = rule.value
