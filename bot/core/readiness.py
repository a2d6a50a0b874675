"""The cutover gate's answer (DESIGN.md, "The cutover gate"): may this task's target take over now?

Values only: the checks are gathered by ``bot.app`` from DMS, CloudWatch, the target database and the
store; this module holds the shape of the answer, the stable check names and the one rule that turns
checks into "ready". Unknown is never ready.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.models import TaskKind
from bot.core.report import iso


class CheckName(enum.StrEnum):
    """The nine checks, in the order they are shown. The values are a public contract."""

    TASK_RUNNING = "task_running"
    FULL_LOAD_COMPLETE = "full_load_complete"
    TABLES_HEALTHY = "tables_healthy"
    VALIDATION_COMPLETE = "validation_complete"
    CDC_LATENCY = "cdc_latency"
    FAILED_ROWS = "failed_rows"
    APPLY_EXCEPTIONS = "apply_exceptions"
    RESYNC = "resync"
    NO_OPEN_INCIDENT = "no_open_incident"


class CheckStatus(enum.StrEnum):
    PASS = "pass"  # noqa: S105 (a check status, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"  # the data to judge was missing or unreadable: never ready
    SKIP = "skip"  # does not apply to this task (full-load only, no database configured, resync off)


@dataclass(frozen=True, slots=True)
class Check:
    name: CheckName
    status: CheckStatus
    detail: str  # the evidence, e.g. "CDCLatencyTarget 41 s at 09:12 > 5 s"


@dataclass(frozen=True, slots=True)
class Readiness:
    """Every check with its evidence, what blocks, what the gate could not see, what people must check."""

    task_id: str
    task_arn: str
    kind: TaskKind
    checked_at: datetime
    checks: tuple[Check, ...]
    caveats: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return all(c.status in (CheckStatus.PASS, CheckStatus.SKIP) for c in self.checks)

    @property
    def blockers(self) -> tuple[str, ...]:
        """One line per failed or unknown check: failures first, then what could not be judged."""
        failed = [c for c in self.checks if c.status is CheckStatus.FAIL]
        unknown = [c for c in self.checks if c.status is CheckStatus.UNKNOWN]
        return tuple(f"{c.name.value}: {c.detail}" for c in failed + unknown)

    def check(self, name: CheckName) -> Check | None:
        return next((c for c in self.checks if c.name is name), None)


def readiness_document(r: Readiness) -> dict[str, Any]:
    """What ``ready --format json`` prints (and a watch's webhook event carries): a public contract."""
    return {
        "task_id": r.task_id,
        "task_arn": r.task_arn,
        "kind": r.kind.value,
        "ready": r.ready,
        "checked_at": iso(r.checked_at),
        "checks": [{"name": c.name.value, "status": c.status.value, "detail": c.detail} for c in r.checks],
        "blockers": list(r.blockers),
        "caveats": list(r.caveats),
        "checklist": list(r.checklist),
    }
