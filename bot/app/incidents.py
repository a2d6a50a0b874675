"""Incidents: after each sweep, remember it, advance every task's alert state and queue what must
be said; and what people do to an incident from Slack (acknowledge, snooze, revalidate).

Everything a sweep decides (its record, each task's alert state, the outbox entries those
changes cause) commits in one transaction, so a crash at any point either keeps all of it or none.
The rules for a click (who may, double clicks, the audit log) live here, tested without Slack.
Every read-modify-write of an alert locks its row (``for_update``) in the transaction that writes
it, so a click on one replica and a sweep (or another click) on another take turns, and neither
overwrites the other's change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.app import revalidation
from bot.app.alert_queue import AlertQueue
from bot.app.paging import Pager
from bot.app.questions import Questions
from bot.core import stuck
from bot.core.alerts import AlertPolicy, Effect, Seen, TaskAlert, step
from bot.core.gone import with_last_known
from bot.core.models import Report, TaskError, TaskVerdict, kind_of_arn
from bot.render.alert import alert_message
from bot.render.alert_replies import ack_reply, revalidate_reply, snooze_reply
from bot.render.kit import SlackMessage
from bot.settings import Settings
from bot.store.base import PendingProgress, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snoozed:
    until: datetime
    alert_open: bool  # False: nothing to edit, so the clicker is told directly


class Incidents:
    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        questions: Questions,
        clock: Callable[[], datetime],
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.questions = questions
        self.clock = clock
        self.wake = wake  # the outbox's: what was queued goes out now
        self.policy = AlertPolicy(remind_every=timedelta(seconds=settings.schedule.remind_every))
        self.queue = AlertQueue(store=store, settings=settings)
        self.pager = Pager(store=store, settings=settings)
        self._targets = {t.name: t for t in settings.targets}

    def after_sweep(self, report: Report, *, epoch: int | None = None) -> Report:
        """Persist the sweep and its consequences; returns the report with stuck-validation warnings.

        ``epoch``: the leader's epoch the sweep ran under; the transaction is refused (Fenced) when
        another replica has taken over since, so a former leader writes and queues nothing."""
        now = self.clock()
        with self.store.transaction(fence=epoch):
            report = self._with_last_known(self._with_stuck(report, now))
            sweep_id = self.store.record_sweep(report)
            snoozes = self.store.active_snoozes(now)
            changed = False
            for arn, seen, target, task_id in self._observations(report):
                prev = self.store.get_alert(arn, for_update=True) or TaskAlert(
                    task_arn=arn, target=target, task_id=task_id
                )
                result = step(prev, seen, now=now, policy=self.policy, snoozed=arn in snoozes)
                alert = replace(result.alert, channel=prev.channel or self._channel(target))
                snoozed_until = snoozes[arn].until if arn in snoozes else None
                self.store.save_alert(alert)
                tag = f"sweep{sweep_id}"
                self.queue.effects(alert, result, seen, tag=tag, now=now, snoozed_until=snoozed_until)
                paged = replace(result, alert=alert)
                self.pager.after_step(prev, paged, seen, snoozed=arn in snoozes, tag=tag, now=now)
                changed = changed or Effect.POST in result.effects or Effect.RECOVERED in result.effects
            self.queue.webhook(report, sweep_id=sweep_id, changed=changed, now=now)
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
        blind = [e for e in report.errors if e.task_id is None]  # listings that failed, in whole or part
        for alert in self.store.list_alerts(open_only=True):
            if (
                alert.task_arn not in seen_arns
                and not any(e.target == alert.target and e.hides(alert.task_arn) for e in blind)
                and alert.target in self._targets
            ):
                yield alert.task_arn, None, alert.target, alert.task_id

    def _with_last_known(self, report: Report) -> Report:
        """Replications whose statistics are gone keep the verdict their tables last earned."""
        if not any(v.task.deprovisioned for v in report.tasks):
            return report
        tasks = []
        for v in report.tasks:
            last = self.store.task_history(v.task.arn, limit=1) if v.task.deprovisioned else []
            tasks.append(with_last_known(v, last[-1] if last else None))
        return replace(report, tasks=tuple(tasks))

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

    def observe(self, seen: TaskVerdict | TaskError, *, note: str | None = None) -> bool:
        """Feed one fresh check (a Re-check click) into the task's alert, as a sweep would.

        Returns False when the task has no alert record (nothing to update).
        """
        arn = seen.task.arn if isinstance(seen, TaskVerdict) else seen.task_arn
        if not arn:
            return False
        now = self.clock()
        with self.store.transaction():
            prev = self.store.get_alert(arn, for_update=True)  # a sweep saving it now goes first
            if prev is None:
                return False
            snooze = self.store.active_snoozes(now).get(arn)
            result = step(prev, seen, now=now, policy=self.policy, snoozed=snooze is not None)
            alert = replace(result.alert, channel=prev.channel or self._channel(prev.target))
            self.store.save_alert(alert)
            until = snooze.until if snooze else None
            tag = f"recheck{now.timestamp():.6f}"
            self.queue.effects(alert, result, seen, tag=tag, now=now, snoozed_until=until, note=note)
            paged = replace(result, alert=alert)
            self.pager.after_step(prev, paged, seen, snoozed=snooze is not None, tag=tag, now=now)
        self.wake()
        return True

    def is_alert_message(self, arn: str, message_ts: str | None) -> bool:
        """The message at ``message_ts`` is this task's announced alert (a Re-check there feeds it)."""
        if message_ts is None:
            return False
        alert = self.store.get_alert(arn)
        return alert is not None and alert.announced and alert.message_ts == message_ts

    def remember_post(self, task_arn: str, incident: int, channel: str, ts: str) -> None:
        """The alert keeps the ts of its message, for the buttons' edits."""
        with self.store.transaction():
            alert = self.store.get_alert(task_arn, for_update=True)
            if alert is not None and alert.incident == incident:
                self.store.save_alert(replace(alert, channel=channel, message_ts=ts))

    def message_now(self, alert: TaskAlert, now: datetime) -> SlackMessage:
        """The alert message as it should read now (acks and snoozes show on it)."""
        snooze = self.store.active_snoozes(now).get(alert.task_arn)
        seen = self.questions.cached(alert.task_arn)
        return alert_message(alert, seen, now=now, snoozed_until=snooze.until if snooze else None)

    def acknowledge(self, task_arn: str, *, user: str) -> bool:
        """Mark the open incident as someone's; False when there is none (already resolved)."""
        now = self.clock()
        with self.store.transaction():
            alert = self.store.get_alert(task_arn, for_update=True)
            if alert is None or not alert.open:
                return False
            alert = replace(alert, acked_by=user, acked_at=now)
            self.store.save_alert(alert)
            detail = f"incident {alert.incident}"
            self.store.add_audit(at=now, user_id=user, action="acknowledge", task_arn=task_arn, detail=detail)
            self.queue.click(alert, self.message_now(alert, now), reason="ack", now=now, thread=False)
            reply = ack_reply(user_id=user, at=now)
            self.queue.click(alert, reply, reason="ack-reply", now=now, thread=True)
            self.pager.acknowledged(alert, now=now)
        self.wake()
        return True

    def snooze(self, task_arn: str, *, user: str, hours: int) -> Snoozed:
        """No reminders or re-posts for ``hours``; the alert message shows it."""
        now = self.clock()
        until = now + timedelta(hours=hours)
        with self.store.transaction():
            self.store.set_snooze(task_arn, until=until, by=user, at=now)
            detail = f"{hours}h until {until.isoformat()}"
            self.store.add_audit(at=now, user_id=user, action="snooze", task_arn=task_arn, detail=detail)
            alert = self.store.get_alert(task_arn, for_update=True)
            alert_open = alert is not None and alert.open
            if alert is not None and alert_open:
                self.queue.click(alert, self.message_now(alert, now), reason="snooze", now=now, thread=False)
                reply = snooze_reply(user_id=user, until=until, kind=kind_of_arn(task_arn))
                self.queue.click(alert, reply, reason="snooze-reply", now=now, thread=True)
        self.wake()
        return Snoozed(until=until, alert_open=alert_open)

    def revalidate(self, task_arn: str, *, user: str, operator: bool) -> revalidation.Outcome:
        """ReloadTables (ReloadReplicationTables for a DMS Serverless replication), validate-only,
        for the failing tables; see :mod:`bot.app.revalidation`.

        The result goes to the alert's thread when the task has an announced alert, else back to the
        clicker (``in_thread`` says which).
        """
        now = self.clock()
        outcome = revalidation.revalidate(
            task_arn,
            user=user,
            operator=operator,
            now=now,
            store=self.store,
            questions=self.questions,
        )
        if outcome.refused is not None:
            return outcome
        alert = self.store.get_alert(task_arn)
        if alert is None or not alert.announced:
            return outcome
        reply = revalidate_reply(
            user_id=user,
            tables=outcome.tables,
            requests=outcome.requests,
            error=outcome.error,
            kind=kind_of_arn(task_arn),
        )
        self.queue.click(alert, reply, reason="revalidate", now=now, thread=True)
        self.wake()
        return replace(outcome, in_thread=True)
