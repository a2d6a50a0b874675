"""What an incident says, queued in the outbox: the alert post, its edits, its thread replies, and
the report for the webhook. Delivery is :mod:`bot.deliver.deliverer`'s job.

Outbox keys are derived from (task, incident, effect, sweep or click), so re-running the same
decisions after a restart cannot queue a message twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.core.alerts import Effect, Seen, Step, TaskAlert
from bot.core.models import Report, TaskVerdict
from bot.core.report import to_document
from bot.deliver.webhook import encode
from bot.render.alert import alert_message, resolved_message
from bot.render.alert_replies import new_tables_reply, recovered_reply, reminder_reply
from bot.render.edits import with_note
from bot.render.failures import table_failures_reply
from bot.render.kit import SlackMessage
from bot.settings import Settings
from bot.store.base import Outbox

log = logging.getLogger(__name__)

WEBHOOK = "webhook"


def slack_destination(channel: str) -> str:
    return f"slack:{channel}"


def post_key(arn: str, incident: int) -> str:
    return f"alert:{arn}:{incident}:post"


class AlertQueue:
    """Turns alert effects into outbox entries; the caller holds the transaction."""

    def __init__(self, *, store: Outbox, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._targets = {t.name: t for t in settings.targets}

    def effects(
        self,
        alert: TaskAlert,
        result: Step,
        seen: Seen,
        *,
        tag: str,
        now: datetime,
        snoozed_until: datetime | None,
        note: str | None = None,
    ) -> None:
        if not result.effects:
            return
        if alert.channel is None:
            log.warning("no Slack channel for target %s: alert for %s not sent", alert.target, alert.task_id)
            return
        target = self._targets.get(alert.target)
        mention = target.mention if target and result.mention else None
        current = alert_message(alert, seen, now=now, mention=mention, snoozed_until=snoozed_until)
        if note:
            current = with_note(current, note)
        for effect in result.effects:
            if effect is Effect.POST:
                self._post(alert, current, now)
                self._failed_rows(alert, seen, alert.problem_tables, "failed_rows:post", now)
            elif effect is Effect.UPDATE:
                message = current if alert.open else resolved_message(alert, seen, now=now)
                self._reply(alert, "update", message, f"update:{tag}", now)
            elif effect is Effect.NEW_TABLES:
                message = new_tables_reply(alert, result.new_tables)
                self._reply(alert, "thread", message, f"new_tables:{tag}", now)
                self._failed_rows(alert, seen, result.new_tables, f"failed_rows:new_tables:{tag}", now)
            elif effect is Effect.REMINDER:
                message = reminder_reply(alert, seen, now=now)
                self._reply(alert, "thread", message, f"reminder:{tag}", now)
            elif effect is Effect.RECOVERED:
                message = recovered_reply(alert, now=now)
                self._reply(alert, "thread", message, f"recovered:{tag}", now)

    def click(
        self, alert: TaskAlert, message: SlackMessage, *, reason: str, now: datetime, thread: bool
    ) -> None:
        """An edit (or thread reply) caused by a person's click: ack, snooze, revalidate."""
        if alert.channel is None or not alert.announced:
            return
        suffix = f"{reason}:{now.timestamp():.6f}"
        self._reply(alert, "thread" if thread else "update", message, suffix, now)

    def webhook(self, report: Report, *, sweep_id: int, changed: bool, now: datetime) -> None:
        if not self.settings.webhook.url or (self.settings.webhook.send == "changes" and not changed):
            return
        body = encode(to_document(report)).decode()
        self.store.enqueue(
            destination=WEBHOOK,
            kind="webhook",
            payload={"body": body},
            key=f"webhook:sweep:{sweep_id}",
            now=now,
        )

    def _post(self, alert: TaskAlert, message: SlackMessage, now: datetime) -> None:
        assert alert.channel is not None
        payload = {
            "channel": alert.channel,
            **message.to_dict(),
            "task_arn": alert.task_arn,
            "incident": alert.incident,
        }
        self.store.enqueue(
            destination=slack_destination(alert.channel),
            kind="slack.post",
            payload=payload,
            key=post_key(alert.task_arn, alert.incident),
            now=now,
        )

    def _failed_rows(
        self, alert: TaskAlert, seen: Seen, tables: tuple[str, ...], suffix: str, now: datetime
    ) -> None:
        """Thread: the failed rows of tables that joined the incident, from what the sweep already
        read (no query of its own); nothing when no database is configured for the task's target."""
        if not isinstance(seen, TaskVerdict) or seen.row_failures is None or not tables:
            return
        parts = {p.name: (p.schema, p.table) for p in seen.problem_tables}
        named = [parts.get(name) or _split(name) for name in tables]
        message = table_failures_reply(alert.task_id, seen.row_failures, named)
        self._reply(alert, "thread", message, suffix, now)

    def _reply(self, alert: TaskAlert, kind: str, message: SlackMessage, suffix: str, now: datetime) -> None:
        """An edit of the alert message, or a reply in its thread (both need the post's ts)."""
        assert alert.channel is not None
        payload: dict[str, Any] = {
            "channel": alert.channel,
            **message.to_dict(),
            "post_key": post_key(alert.task_arn, alert.incident),
        }
        self.store.enqueue(
            destination=slack_destination(alert.channel),
            kind=f"slack.{kind}",
            payload=payload,
            key=f"alert:{alert.task_arn}:{alert.incident}:{suffix}",
            now=now,
        )


def _split(name: str) -> tuple[str, str]:
    """A stored ``schema.table`` name no longer among the problem tables (split at the first dot)."""
    schema, _, table = name.partition(".")
    return schema, table
