"""What the bot remembers of past sweeps, as plain values: history, digests and the Home tab read
these (the store writes and returns them, render shows them; neither owns them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SweepRow:
    id: int
    checked_at: datetime
    status: str
    tasks: int
    ok: int
    warning: int
    failure: int
    errors: int
    duration_seconds: float | None


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One task in one sweep, compact: enough for history charts, digests and the Home tab."""

    sweep_id: int
    checked_at: datetime
    target: str
    task_arn: str | None
    task_id: str
    verdict: str  # "ok" | "warning" | "failure" | "error"
    status: str
    tables_total: int
    failed_records: int
    suspended_records: int
    pending_records: int
    problem_tables: int
    reasons: tuple[str, ...]
    cdc_source_seconds: float | None = None  # CDC lag when CloudWatch had a datapoint, else None
    cdc_target_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Snooze:
    task_arn: str
    until: datetime
    by: str
    at: datetime
