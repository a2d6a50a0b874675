"""Plain cutover-gate answers for the Slack side's tests, and a gate that gives them out in turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.aws.budget import Priority
from bot.core.models import TaskKind
from bot.core.readiness import Check, CheckName, CheckStatus, Readiness
from bot.errors import BotError

ARN = "arn:aws:dms:eu-west-1:123456789012:task:ORDERSCDC0000000000000000000"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def readiness(
    *blocking: tuple[CheckName, CheckStatus, str],
    task_id: str = "orders-cdc",
    arn: str = ARN,
    at: datetime = T0,
    caveats: tuple[str, ...] = (),
    checklist: tuple[str, ...] = ("Sequences reset on the target",),
) -> Readiness:
    """Every check passing, except those named in ``blocking`` (name, status, detail)."""
    details = {
        CheckName.VALIDATION_COMPLETE: "1,204 of 1,204 tables Validated, 0 failed, 0 suspended, 0 pending",
        CheckName.FAILED_ROWS: "0 failed rows in awsdms_validation_failures_v1 + awsdms_validation_failures_v2",
        CheckName.CDC_LATENCY: "CDCLatencySource ≤ 2 s, CDCLatencyTarget ≤ 3 s for 5 min",
    }
    override = {name: (status, detail) for name, status, detail in blocking}
    checks = tuple(
        Check(name, *override.get(name, (CheckStatus.PASS, details.get(name, "ok")))) for name in CheckName
    )
    return Readiness(
        task_id=task_id,
        task_arn=arn,
        kind=TaskKind.TASK,
        checked_at=at,
        checks=checks,
        caveats=caveats,
        checklist=checklist,
    )


READY = readiness()
LAGGING = readiness((CheckName.CDC_LATENCY, CheckStatus.FAIL, "CDCLatencyTarget 41 s at 09:12 > 5 s"))


@dataclass
class ScriptedGate:
    """Answers from a script: a Readiness, or a BotError to raise; the last answer repeats."""

    answers: list[Readiness | BotError] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def then(self, *answers: Readiness | BotError) -> ScriptedGate:
        self.answers.extend(answers)
        return self

    def assess(
        self,
        ref: str,
        *,
        max_lag: float | None = None,
        steady: float | None = None,
        since: datetime | None = None,
        level: Priority = Priority.INTERACTIVE,
    ) -> Readiness:
        self.calls.append({"ref": ref, "max_lag": max_lag, "steady": steady, "since": since, "level": level})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BotError):
            raise answer
        return answer
