"""Revalidate: ReloadTables (validate-only) for a task's failing tables, from a button; for a DMS
Serverless replication the gateway sends ReloadReplicationTables instead (the same rules here).

Operators only, running tasks only, failing tables only; a second click within a couple of minutes
(or while the first is still running) is a double click and sends nothing, whichever replicas the
two clicks land on: the claim is written to the store, atomically, before DMS is asked. Every
attempt, refused or not, is written to the audit log.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app.questions import Found, Questions
from bot.aws.budget import Priority, priority
from bot.core.evaluate import classify_table
from bot.core.models import Verdict
from bot.errors import DmsError, TaskNotFound
from bot.render.words import noun
from bot.store.base import Store

log = logging.getLogger(__name__)
QUIET = timedelta(minutes=2)  # a second Revalidate of the same task this soon is a double click
SENT, CLAIMED = "revalidate", "revalidate-pending"  # audit actions: sent; claimed, DMS not answered yet


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


def revalidate(
    arn: str,
    *,
    user: str,
    operator: bool,
    now: datetime,
    store: Store,
    questions: Questions,
) -> Outcome:
    if not operator:
        store.add_audit(
            at=now, user_id=user, action="revalidate-refused", task_arn=arn, detail="not an operator"
        )
        return Outcome(refused=Refusal.NOT_OPERATOR)
    claim = _claim(store, arn, user=user, now=now)
    if claim is None:
        return Outcome(refused=Refusal.JUST_SENT)
    outcome = _send(arn, questions)
    if outcome.refused is Refusal.GONE:
        store.update_audit(claim, action="revalidate-failed", detail="the task no longer exists")
    elif outcome.requests:
        detail = outcome.error or f"{outcome.tables} tables, {outcome.requests} requests"
        store.update_audit(claim, action="revalidate", detail=detail)
    else:
        store.update_audit(claim, action="revalidate-failed", detail=outcome.reason or outcome.error or "")
    return outcome


def _claim(store: Store, arn: str, *, user: str, now: datetime) -> int | None:
    """The audit entry claiming this revalidation, or None for a double click.

    One transaction, serialised on the task across every replica: look for a revalidation sent (or
    being sent) within QUIET, and if there is none write the claim. So of two clicks landing on two
    replicas at once, the second waits for the first's claim to commit, sees it, and sends nothing.
    """
    with store.transaction():
        store.serialize(f"revalidate:{arn}")
        if store.recent_audit(task_arn=arn, actions=(SENT, CLAIMED), since=now - QUIET):
            return None
        return store.add_audit(at=now, user_id=user, action=CLAIMED, task_arn=arn, detail="sending")


def _send(arn: str, questions: Questions) -> Outcome:
    """ReloadTables for the task's failing tables, once the claim is held."""
    found = questions.find(arn)
    if not isinstance(found, Found):
        return Outcome(refused=Refusal.GONE)
    try:
        tables, error, sent = _reload_failing(found)
    except TaskNotFound:  # deleted since the last listing
        return Outcome(refused=Refusal.GONE)
    if error and not sent and not tables:
        return Outcome(refused=Refusal.NOT_POSSIBLE, reason=error)
    return Outcome(tables=tables, requests=sent, error=error)


def _reload_failing(found: Found) -> tuple[int, str | None, int]:
    """(failing tables, error, requests sent), checking the task is running first."""
    gateway = found.watched.gateway
    try:
        with priority(Priority.INTERACTIVE):
            task = gateway.describe_task(found.task.arn)
            what = noun(task.kind)
            if task.status.lower() != "running":
                return (
                    0,
                    f"the {what} is {task.status}, and DMS only revalidates tables of a running {what}",
                    0,
                )
            failing = [
                (t.schema, t.table)
                for t in gateway.table_stats(task.arn)
                if classify_table(t)[0] is Verdict.FAILURE
            ]
            if not failing:
                return 0, f"the {what} has no failing tables right now", 0
            sent = gateway.reload_tables(task.arn, failing, option="validate-only")
    except TaskNotFound:
        raise
    except DmsError as exc:
        log.warning("revalidate %s failed: %s", found.task.identifier, exc)
        return 0, str(exc), 0
    return len(failing), None, sent
