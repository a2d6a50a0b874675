"""Fault injection: rules that make the simulator misbehave on purpose, a set number of times."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

FAULT_KINDS = (
    "throttle",
    "http_500",
    "http_503",
    "delay",
    "reset",
    "missing_fields",
    "unknown_enum",
    "delete_task",
    "invalid_state",
    "access_denied",
)
# Kinds that end the request without serving it; at most one fires per request.
TERMINAL_KINDS = frozenset({"throttle", "http_500", "http_503", "reset", "invalid_state", "access_denied"})
# Kinds that happen before serving and let it go on.
PRELUDE_KINDS = frozenset({"delay", "delete_task"})
# Kinds that alter the items of a served response.
ITEM_KINDS = frozenset({"missing_fields", "unknown_enum"})
DEFAULT_MISSING = ("ValidationState", "TableState", "Status")


@dataclass(frozen=True)
class FaultRule:
    """One fault: ``kind`` on requests for ``op`` (any op when None), ``count`` times (None = forever).

    ``task`` (ARN or identifier) restricts the rule to requests naming that task; for the item kinds
    on DescribeReplicationTasks it selects which listed tasks are altered. ``seconds`` is the real-time
    sleep of ``delay``; ``fields`` the keys ``missing_fields`` drops (default ValidationState,
    TableState, Status); ``value`` the string ``unknown_enum`` puts in those fields; ``message`` the
    error message of a kind that answers with an error (default: the text DMS uses).
    """

    kind: str
    op: str | None = None
    count: int | None = None
    task: str | None = None
    seconds: float = 0.0
    fields: tuple[str, ...] | None = None
    value: str = "Quantum entangled"
    message: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if self.count is not None and (isinstance(self.count, bool) or self.count < 1):
            raise ValueError("count must be >= 1 or None (forever)")
        if self.seconds < 0:
            raise ValueError("seconds must be >= 0")
        if self.kind == "delete_task" and not self.task:
            raise ValueError("a delete_task fault needs the task it deletes")
        if self.fields is not None:
            object.__setattr__(self, "fields", tuple(self.fields))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        """Build from the JSON of ``POST /_sim/faults``; ValueError on unknown keys or values."""
        unknown = set(data) - {"kind", "op", "count", "task", "seconds", "fields", "value", "message"}
        if unknown:
            raise ValueError(f"unknown fault rule key {sorted(unknown)[0]!r}")
        if "kind" not in data:
            raise ValueError("a fault rule needs a kind")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def removed_fields(self) -> tuple[str, ...]:
        """The response keys this rule drops or rewrites."""
        return self.fields if self.fields is not None else DEFAULT_MISSING


class FaultBook:
    """The active rules and how many firings each has left; safe across handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[FaultRule, list[int | None]]] = []

    def replace(self, rules: Iterable[FaultRule]) -> None:
        """Install ``rules`` in place of the current ones; an empty list clears."""
        with self._lock:
            self._rules = [(rule, [rule.count]) for rule in rules]

    def active(self) -> list[dict[str, Any]]:
        """The rules still armed, with their remaining count."""
        with self._lock:
            return [{**asdict(rule), "remaining": left[0]} for rule, left in self._rules]

    def fire(
        self,
        op: str,
        kinds: frozenset[str],
        names_task: Callable[[str], bool],
        *,
        first_only: bool = False,
        explicit_only: bool = False,
    ) -> list[FaultRule]:
        """Rules of ``kinds`` matching this request, each spending one of its firings.

        ``explicit_only``: only rules naming ``op`` (CloudWatch requests skip the any-op DMS rules).
        """
        fired: list[FaultRule] = []
        with self._lock:
            for rule, left in self._rules:
                if rule.kind not in kinds or rule.op not in ((op,) if explicit_only else (None, op)):
                    continue
                if rule.task is not None and not names_task(rule.task):
                    continue
                fired.append(rule)
                if left[0] is not None:
                    left[0] -= 1
                if first_only:
                    break
            self._rules = [(rule, left) for rule, left in self._rules if left[0] != 0]
        return fired
