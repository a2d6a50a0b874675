"""Revalidate: ReloadTables (validate-only) for a task's failing tables, from a button.

Operators only, running tasks only, failing tables only; a second click within a couple of minutes
(or while the first is still running) is a double click and sends nothing. Every attempt, refused
or not, is written to the audit log.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app.questions import Found, Questions
from bot.aws.budget import Priority, priority
from bot.core.evaluate import classify_table
from bot.core.models import Verdict
from bot.errors import DmsError, TaskNotFound
from bot.store.base import Store

log = logging.getLogger(__name__)
QUIET = timedelta(minutes=2)  # a second Revalidate of the same task this soon is a double click


class Refusal(enum.StrEnum):
    NOT_OPERATOR = "not_operator"
    JUST_SENT = "just_sent"  # a double click
    GONE = "gone"  # the task no longer exists
    NOT_POSSIBLE = "not_possible"  # not running, nothing failing, or DMS refused; ``reason`` says


@dataclass(frozen=True, slots=True)
class Outcome:
    refused: Refusal | None = None
    reason: str | None = None
    tables: int = 0
    requests: int = 0
    error: str | None = None  # DMS failed part-way: some requests may have been sent
    in_thread: bool = False  # the result was queued to the alert's thread, not for the clicker


class InFlight:
    """Keys someone is acting on right now, so a double click does the work once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[str] = set()

    @contextlib.contextmanager
    def claim(self, key: str) -> Iterator[bool]:
        """Yields True for the first claimant; False while another holds ``key``."""
        with self._lock:
            first = key not in self._keys
            self._keys.add(key)
        try:
            yield first
        finally:
            if first:
                with self._lock:
                    self._keys.discard(key)


def revalidate(
    arn: str,
    *,
    user: str,
    operator: bool,
    now: datetime,
    store: Store,
    questions: Questions,
    in_flight: InFlight,
) -> Outcome:
    if not operator:
        store.add_audit(
            at=now, user_id=user, action="revalidate-refused", task_arn=arn, detail="not an operator"
        )
        return Outcome(refused=Refusal.NOT_OPERATOR)
    with in_flight.claim(f"revalidate:{arn}") as first:
        if not first or _recently_sent(store, arn, now):
            return Outcome(refused=Refusal.JUST_SENT)
        found = questions.find(arn)
        if not isinstance(found, Found):
            return Outcome(refused=Refusal.GONE)
        try:
            tables, error, sent = _reload_failing(found)
        except TaskNotFound:  # deleted since the last listing
            return Outcome(refused=Refusal.GONE)
        store.add_audit(
            at=now,
            user_id=user,
            action="revalidate" if sent else "revalidate-failed",
            task_arn=arn,
            detail=error or f"{tables} tables, {sent} requests",
        )
    if error and not sent and not tables:
        return Outcome(refused=Refusal.NOT_POSSIBLE, reason=error)
    return Outcome(tables=tables, requests=sent, error=error)


def _recently_sent(store: Store, arn: str, now: datetime) -> bool:
    """A revalidation of this task sent within the last couple of minutes (a double click)."""
    return any(
        entry.action == "revalidate" and entry.task_arn == arn and now - entry.at < QUIET
        for entry in store.audit_entries(limit=100)
    )


def _reload_failing(found: Found) -> tuple[int, str | None, int]:
    """(failing tables, error, requests sent), checking the task is running first."""
    gateway = found.watched.gateway
    try:
        with priority(Priority.INTERACTIVE):
            task = gateway.describe_task(found.task.arn)
            if task.status != "running":
                return 0, f"the task is {task.status}, and DMS only revalidates tables of a running task", 0
            failing = [
                (t.schema, t.table)
                for t in gateway.table_stats(task.arn)
                if classify_table(t)[0] is Verdict.FAILURE
            ]
            if not failing:
                return 0, "the task has no failing tables right now", 0
            sent = gateway.reload_tables(task.arn, failing, option="validate-only")
    except TaskNotFound:
        raise
    except DmsError as exc:
        log.warning("revalidate %s failed: %s", found.task.identifier, exc)
        return 0, str(exc), 0
    return len(failing), None, sent
