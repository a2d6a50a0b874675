"""A PagerDuty Events API v2 event for one step of an incident (see :mod:`bot.core.paging`).

The body is everything but ``routing_key`` (added at delivery, so the key is never stored) and the
link to the Slack alert (added at delivery too: the message's ts may only be known by then).
Text from DMS goes through the same control-character filter as every other output; PagerDuty
shows it as plain text, so nothing is escaped for mrkdwn.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.core.alerts import Seen, TaskAlert
from bot.core.models import Task, TaskError, TaskVerdict
from bot.core.paging import SUMMARY_MAX, Action, Page, Severity
from bot.core.report import error_document, iso, task_document
from bot.render.mrkdwn import clean, clip, console_url

DETAILS_MAX = 16_384  # bytes of JSON in custom_details (PagerDuty takes 512 KB a whole event)
CLIENT = "DMS validation bot"
_WHAT = {
    Severity.CRITICAL: "DMS validation failure",
    Severity.ERROR: "DMS task cannot be checked",
    Severity.WARNING: "DMS validation warning",
}


def page_body(page: Page, alert: TaskAlert, seen: Seen, *, now: datetime) -> dict[str, Any]:
    """The event's JSON body, without ``routing_key`` and the Slack link."""
    body: dict[str, Any] = {"event_action": page.action.value, "dedup_key": page.dedup_key}
    if page.action is not Action.TRIGGER:
        return body
    severity = page.severity or Severity.CRITICAL
    body["payload"] = {
        "summary": summary(severity, alert, seen),
        "source": alert.task_arn,
        "severity": severity.value,
        "timestamp": iso(now),
        "component": clean(alert.task_id),
        "group": clean(alert.target),
        "class": "dms-validation",
        "custom_details": custom_details(alert, seen),
    }
    task = Task(identifier=alert.task_id, arn=alert.task_arn, status="")
    body["links"] = [{"href": console_url(task), "text": "Task in the AWS DMS console"}]
    body["client"] = CLIENT
    return body


def summary(severity: Severity, alert: TaskAlert, seen: Seen) -> str:
    """``DMS validation failure: orders-cdc (prod): 2 tables mismatched; …`` within 1024 characters."""
    if isinstance(seen, TaskVerdict) and severity is Severity.WARNING:
        what = "; ".join(seen.reasons[:3])
    else:
        what = alert.summary or "unhealthy"
    text = f"{_WHAT[severity]}: {clean(alert.task_id)} ({clean(alert.target)}): {clean(what)}"
    return clip(text, SUMMARY_MAX)


def custom_details(alert: TaskAlert, seen: Seen) -> dict[str, Any]:
    """The task's report entry (the report document's ``tasks[]`` / ``errors[]`` shape), with
    problem tables dropped from the end until it fits :data:`DETAILS_MAX`."""
    if isinstance(seen, TaskVerdict):
        doc = task_document(seen)
    elif isinstance(seen, TaskError):
        doc = error_document(seen)
    else:
        doc = {"target": alert.target, "task_id": alert.task_id, "task_arn": alert.task_arn}
        doc["error"] = alert.summary or "task no longer exists"
    tables = list(doc.get("problem_tables", []))
    total = len(tables)
    while _size(doc) > DETAILS_MAX and tables:
        tables = tables[: len(tables) // 2]
        doc = {**doc, "problem_tables": tables, "problem_tables_omitted": total - len(tables)}
    if _size(doc) > DETAILS_MAX:
        doc = {k: doc[k] for k in ("target", "task_id", "task_arn", "verdict") if k in doc}
        doc["truncated"] = True
    return doc


def _size(doc: dict[str, Any]) -> int:
    return len(json.dumps(doc, ensure_ascii=False).encode())
