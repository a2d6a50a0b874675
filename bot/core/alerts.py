"""Change-based alerting as a pure state machine: (previous state, what the sweep saw, now) in,
(new state, effects) out. The caller persists the state and turns effects into Slack messages.

One state record per task. A task turning unhealthy opens an incident (one post, the on-call
group mentioned once); while it stays unhealthy the same message is updated, new problem tables
and reminders go to its thread; recovery updates the message and says so in the thread.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core.models import TaskError, TaskVerdict, Verdict

Seen = TaskVerdict | TaskError | None  # None: the task is gone from DMS


class Effect(enum.StrEnum):
    POST = "post"  # a new alert message (with buttons), mentioning on-call once
    UPDATE = "update"  # chat.update the alert message in place
    NEW_TABLES = "new_tables"  # thread: tables that joined an open incident
    REMINDER = "reminder"  # thread: still unhealthy after remind_every
    RECOVERED = "recovered"  # thread: the task is healthy again (message updated too)


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    remind_every: timedelta = timedelta(hours=4)
    error_after: int = 2  # consecutive sweeps a task must fail to be *checked* before it alerts


@dataclass(frozen=True, slots=True)
class TaskAlert:
    """What the bot remembers about one task between sweeps."""

    task_arn: str
    target: str
    task_id: str
    open: bool = False
    incident: int = 0
    kind: str = ""  # "failure" | "error" while open
    summary: str = ""
    problem_tables: tuple[str, ...] = ()
    opened_at: datetime | None = None
    resolved_at: datetime | None = None
    last_seen_at: datetime | None = None
    last_reminded_at: datetime | None = None
    error_streak: int = 0
    announced: bool = False  # a POST was emitted for this incident (delivery may still be pending)
    channel: str | None = None
    message_ts: str | None = None  # filled in by delivery once Slack has answered
    acked_by: str | None = None
    acked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Step:
    alert: TaskAlert
    effects: tuple[Effect, ...] = ()
    new_tables: tuple[str, ...] = ()
    mention: bool = False
    details: dict[str, str] = field(default_factory=dict)


def _unhealthy(seen: Seen, streak: int, policy: AlertPolicy) -> str | None:
    """ "failure", "error" (persistent), or None when nothing to alert about."""
    if isinstance(seen, TaskVerdict):
        return "failure" if seen.verdict is Verdict.FAILURE else None
    if isinstance(seen, TaskError):
        return "error" if streak >= policy.error_after else None
    return None


def _summary(seen: Seen) -> str:
    if isinstance(seen, TaskVerdict):
        return "; ".join(seen.reasons[:3])
    if isinstance(seen, TaskError):
        return f"could not be checked: {seen.error}"
    return "task no longer exists"


def _tables(seen: Seen) -> tuple[str, ...]:
    if isinstance(seen, TaskVerdict):
        return tuple(p.name for p in seen.problem_tables if p.verdict is Verdict.FAILURE)
    return ()


def step(
    prev: TaskAlert,
    seen: Seen,
    *,
    now: datetime,
    policy: AlertPolicy,
    snoozed: bool = False,
) -> Step:
    """Advance one task's alert state by one sweep."""
    streak = prev.error_streak + 1 if isinstance(seen, TaskError) else 0
    kind = _unhealthy(seen, streak, policy)
    if isinstance(seen, TaskError) and prev.open:
        kind = prev.kind if prev.kind else "error"  # an open incident stays open while we cannot see
    base = replace(prev, error_streak=streak, last_seen_at=now if seen is not None else prev.last_seen_at)
    if kind is None:
        return _recover(base, seen, now) if prev.open else Step(base)
    if not prev.open:
        return _open(base, seen, kind, now, snoozed)
    return _continue(base, seen, kind, now, policy, snoozed)


def _open(base: TaskAlert, seen: Seen, kind: str, now: datetime, snoozed: bool) -> Step:
    alert = replace(
        base,
        open=True,
        incident=base.incident + 1,
        kind=kind,
        summary=_summary(seen),
        problem_tables=_tables(seen),
        opened_at=now,
        resolved_at=None,
        last_reminded_at=None,
        message_ts=None,
        acked_by=None,
        acked_at=None,
        announced=not snoozed,
    )
    if snoozed:
        return Step(alert)  # remembered, not announced; the message is posted if it is still bad later
    return Step(alert, (Effect.POST,), mention=True)


def _continue(
    base: TaskAlert, seen: Seen, kind: str, now: datetime, policy: AlertPolicy, snoozed: bool
) -> Step:
    tables = _tables(seen) if isinstance(seen, TaskVerdict) else base.problem_tables
    fresh = tuple(t for t in tables if t not in base.problem_tables)
    alert = replace(base, kind=kind, summary=_summary(seen), problem_tables=tables)
    if not base.announced and not snoozed:
        # opened while snoozed and still bad after the snooze: announce it now
        return Step(replace(alert, announced=True), (Effect.POST,), mention=True)
    effects: list[Effect] = [Effect.UPDATE] if base.announced else []
    if snoozed:
        return Step(alert, tuple(effects))
    if fresh:
        effects.append(Effect.NEW_TABLES)
    last = base.last_reminded_at or base.opened_at or now
    if now - last >= policy.remind_every:
        effects.append(Effect.REMINDER)
        alert = replace(alert, last_reminded_at=now)
    return Step(alert, tuple(effects), new_tables=fresh)


def _recover(base: TaskAlert, seen: Seen, now: datetime) -> Step:
    alert = replace(
        base, open=False, resolved_at=now, summary=_summary(seen) if seen is None else base.summary
    )
    if not base.announced:
        return Step(alert)  # never announced (snoozed the whole time): nothing to take back
    return Step(alert, (Effect.UPDATE, Effect.RECOVERED))


def open_for(alert: TaskAlert, now: datetime) -> timedelta:
    """How long the current (or last) incident lasted."""
    if alert.opened_at is None:
        return timedelta(0)
    return (alert.resolved_at if not alert.open and alert.resolved_at else now) - alert.opened_at
