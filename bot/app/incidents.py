"""After each sweep: remember it, advance every task's alert state, and queue what must be said.

Everything a sweep decides (its record, each task's alert state, the outbox entries those
changes cause) commits in one transaction, so a crash at any point either keeps all of it or none.
Outbox keys are derived from (task, incident, effect, sweep), so re-running the same decisions
after a restart cannot queue a message twice; delivery is :mod:`bot.deliver.deliverer`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core import stuck
from bot.core.alerts import AlertPolicy, Effect, Seen, Step, TaskAlert, step
from bot.core.models import Report, TaskError, TaskVerdict
from bot.core.report import to_document
from bot.deliver.webhook import encode
from bot.render.alert import alert_message, resolved_message
from bot.render.alert_replies import new_tables_reply, recovered_reply, reminder_reply
from bot.render.edits import with_note
from bot.render.kit import SlackMessage
from bot.settings import Settings
from bot.store.base import PendingProgress, Store

log = logging.getLogger(__name__)

WEBHOOK = "webhook"


def slack_destination(channel: str) -> str:
    return f"slack:{channel}"


def post_key(arn: str, incident: int) -> str:
    return f"alert:{arn}:{incident}:post"


class Alerter:
    def __init__(self, *, store: Store, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.policy = AlertPolicy(remind_every=timedelta(seconds=settings.schedule.remind_every))
        self._targets = {t.name: t for t in settings.targets}

    def after_sweep(self, report: Report) -> Report:
        """Persist the sweep and its consequences; returns the report with stuck-validation warnings."""
        now = self.clock()
        with self.store.transaction():
            report = self._with_stuck(report, now)
            sweep_id = self.store.record_sweep(report)
            snoozes = self.store.active_snoozes(now)
            changed = False
            for arn, seen, target, task_id in self._observations(report):
                prev = self.store.get_alert(arn) or TaskAlert(task_arn=arn, target=target, task_id=task_id)
                result = step(prev, seen, now=now, policy=self.policy, snoozed=arn in snoozes)
                alert = replace(result.alert, channel=prev.channel or self._channel(target))
                snoozed_until = snoozes[arn].until if arn in snoozes else None
                self.store.save_alert(alert)
                self._queue(alert, result, seen, tag=f"sweep{sweep_id}", now=now, snoozed_until=snoozed_until)
                changed = changed or Effect.POST in result.effects or Effect.RECOVERED in result.effects
            self._queue_webhook(report, sweep_id=sweep_id, changed=changed, now=now)
        return report

    def _channel(self, target: str) -> str | None:
        known = self._targets.get(target)
        return self.settings.channel_for(known) if known else self.settings.slack.channel

    def _observations(self, report: Report) -> Iterable[tuple[str, Seen, str, str]]:
        """Every task the sweep saw, plus open alerts whose task has vanished from a listed target."""
        seen_arns: set[str] = set()
        for v in report.tasks:
            seen_arns.add(v.task.arn)
            yield v.task.arn, v, v.target, v.task.identifier
        for e in report.errors:
            if e.task_arn:
                seen_arns.add(e.task_arn)
                yield e.task_arn, e, e.target, e.task_id or e.task_arn
        unlisted = {e.target for e in report.errors if e.task_id is None}
        for alert in self.store.list_alerts(open_only=True):
            if (
                alert.task_arn not in seen_arns
                and alert.target not in unlisted
                and alert.target in self._targets
            ):
                yield alert.task_arn, None, alert.target, alert.task_id

    def _with_stuck(self, report: Report, now: datetime) -> Report:
        limit = self.settings.policy.stuck_after
        if limit is None:
            return report
        tasks = []
        for v in report.tasks:
            previous = {t: (p.pending, p.since) for t, p in self.store.pending_progress(v.task.arn).items()}
            progress = stuck.track(previous, v.pending_tables, now)
            self.store.save_pending_progress(
                v.task.arn,
                {t: PendingProgress(t, pending, since) for t, (pending, since) in progress.items()},
            )
            tasks.append(stuck.with_stuck(v, stuck.stuck(progress, now, limit), limit))
        return replace(report, tasks=tuple(tasks))

    def _queue(
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
                self._enqueue_post(alert, current, now)
            elif effect is Effect.UPDATE:
                message = current if alert.open else resolved_message(alert, seen, now=now)
                self._enqueue_reply(alert, "update", message, f"update:{tag}", now)
            elif effect is Effect.NEW_TABLES:
                message = new_tables_reply(alert, result.new_tables)
                self._enqueue_reply(alert, "thread", message, f"new_tables:{tag}", now)
            elif effect is Effect.REMINDER:
                message = reminder_reply(alert, seen, now=now)
                self._enqueue_reply(alert, "thread", message, f"reminder:{tag}", now)
            elif effect is Effect.RECOVERED:
                message = recovered_reply(alert, now=now)
                self._enqueue_reply(alert, "thread", message, f"recovered:{tag}", now)

    def _enqueue_post(self, alert: TaskAlert, message: SlackMessage, now: datetime) -> None:
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

    def _enqueue_reply(
        self, alert: TaskAlert, kind: str, message: SlackMessage, suffix: str, now: datetime
    ) -> None:
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

    def _queue_webhook(self, report: Report, *, sweep_id: int, changed: bool, now: datetime) -> None:
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

    def observe(self, seen: TaskVerdict | TaskError, *, note: str | None = None) -> bool:
        """Feed one fresh check (a Re-check click) into the task's alert, as a sweep would.

        Returns False when the task has no alert record (nothing to update).
        """
        arn = seen.task.arn if isinstance(seen, TaskVerdict) else seen.task_arn
        if not arn:
            return False
        now = self.clock()
        with self.store.transaction():
            prev = self.store.get_alert(arn)
            if prev is None:
                return False
            snooze = self.store.active_snoozes(now).get(arn)
            result = step(prev, seen, now=now, policy=self.policy, snoozed=snooze is not None)
            alert = replace(result.alert, channel=prev.channel or self._channel(prev.target))
            self.store.save_alert(alert)
            until = snooze.until if snooze else None
            tag = f"recheck{now.timestamp():.6f}"
            self._queue(alert, result, seen, tag=tag, now=now, snoozed_until=until, note=note)
        return True

    def act(
        self, alert: TaskAlert, message: SlackMessage, *, reason: str, now: datetime, thread: bool
    ) -> None:
        """Queue an edit (or thread reply) caused by a person's click: ack, snooze, revalidate."""
        if alert.channel is None or not alert.announced:
            return
        suffix = f"{reason}:{now.timestamp():.6f}"
        self._enqueue_reply(alert, "thread" if thread else "update", message, suffix, now)
