"""What an incident's life says to a pager (PagerDuty Events API v2), as pure decisions.

One page per incident, named by a ``dedup_key`` derived from what the store keys the incident by
(the task's ARN and the incident's number), so every replica and every restart names it the same
and a retried or repeated event is absorbed by PagerDuty:

* an incident announced (its Slack post queued): ``trigger``;
* worse while open (tables joined it, or a task that could not be checked is now seen failing):
  ``trigger`` again, same key, so the alert shows the latest summary;
* Acknowledge in Slack: ``acknowledge``; recovery: ``resolve``.

With ``page_on = "warning"`` a task at warning pages too (severity ``warning``), under the key of
the incident it would open next; when it worsens into that incident, the same key is triggered
again at ``critical``, so on-call sees one alert escalate rather than two.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass

from bot.core.alerts import Effect, Seen, Step, TaskAlert
from bot.core.models import TaskVerdict, Verdict

DEDUP_KEY_MAX = 255  # PagerDuty's limit
SUMMARY_MAX = 1024  # PagerDuty's limit on payload.summary
_PREFIX = "dms-validation-bot"


class Action(enum.StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Severity(enum.StrEnum):
    CRITICAL = "critical"  # a failed validation
    ERROR = "error"  # a task the bot could not check, sweep after sweep
    WARNING = "warning"  # page_on = "warning" only


class PageOn(enum.StrEnum):
    FAILURE = "failure"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Page:
    """One event to send: ``reason`` names the step of the incident's life (and the outbox key)."""

    action: Action
    dedup_key: str
    reason: str  # "open" | "worse" | "warning" | "ack" | "resolve"
    severity: Severity | None = None  # triggers only


def dedup_key(task_arn: str, incident: int) -> str:
    """``dms-validation-bot:<task ARN>:<incident>``; a hash of the ARN when that would pass 255."""
    key = f"{_PREFIX}:{task_arn}:{incident}"
    if len(key) <= DEDUP_KEY_MAX:
        return key
    digest = hashlib.sha256(task_arn.encode()).hexdigest()
    return f"{_PREFIX}:sha256-{digest}:{incident}"


def severity(kind: str) -> Severity:
    """The open incident's kind ("failure" | "error") as a PagerDuty severity."""
    return Severity.ERROR if kind == "error" else Severity.CRITICAL


def incident_pages(prev: TaskAlert, result: Step) -> list[Page]:
    """The events one step of a task's alert causes (a sweep, or a Re-check click)."""
    alert, effects = result.alert, result.effects
    key = dedup_key(alert.task_arn, alert.incident)
    if Effect.POST in effects:
        return [Page(Action.TRIGGER, key, "open", severity(alert.kind))]
    if Effect.RECOVERED in effects:
        return [Page(Action.RESOLVE, key, "resolve")]
    if not (alert.open and alert.announced and prev.open):
        return []
    escalated = prev.kind == "error" and alert.kind == "failure"
    if Effect.NEW_TABLES in effects or escalated:
        return [Page(Action.TRIGGER, key, "worse", severity(alert.kind))]
    return []


def acknowledge_page(alert: TaskAlert) -> Page | None:
    """Acknowledge in Slack: the open, announced incident's page is acknowledged."""
    if not alert.open or not alert.announced:
        return None
    return Page(Action.ACKNOWLEDGE, dedup_key(alert.task_arn, alert.incident), "ack")


def warning_pages(
    alert: TaskAlert, seen: Seen, *, open_key: str | None, snoozed: bool
) -> tuple[list[Page], str | None]:
    """``page_on = "warning"``, after the incident's own step: the warning page's events, and the
    key of the warning page open afterwards (None: none). A new one is keyed as the task's next
    incident, so the incident that may follow takes it over: its trigger re-sends that key."""
    resolve = [Page(Action.RESOLVE, open_key, "resolve")] if open_key else []
    if alert.open:
        if not alert.announced:
            return [], open_key  # failing but snoozed: the warning page stays as it was
        taken_over = open_key == dedup_key(alert.task_arn, alert.incident)
        return ([] if taken_over else resolve), None
    if isinstance(seen, TaskVerdict) and seen.verdict is Verdict.WARNING:
        if open_key or snoozed:
            return [], open_key
        key = dedup_key(alert.task_arn, alert.incident + 1)
        return [Page(Action.TRIGGER, key, "warning", Severity.WARNING)], key
    if seen is not None and not isinstance(seen, TaskVerdict):
        return [], open_key  # cannot see the task: the page stays as it is
    return resolve, None
