"""Paging on-call: what an incident's life sends to PagerDuty, queued in the outbox in the same
transaction as the alert state that caused it (so a crash keeps both or neither).

The decisions are :mod:`bot.core.paging`'s, the event's words :mod:`bot.render.page`'s; delivery
(with the routing key, which is never stored) is :mod:`bot.deliver.pagerduty`'s. Events for one
target go to one outbox destination, so they reach PagerDuty in the order they were decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.app.alert_queue import post_key
from bot.core.alerts import Seen, Step, TaskAlert
from bot.core.paging import Page, PageOn, acknowledge_page, incident_pages, warning_pages
from bot.render.page import page_body
from bot.settings import Settings
from bot.store.base import Meta, Outbox

KIND = "pagerduty"
_WARNING_META = "pagerduty.warning:"  # + task ARN: the key of the task's open warning page


class PagerStore(Outbox, Meta, Protocol):
    pass


def destination(target: str) -> str:
    return f"{KIND}:{target}"


class Pager:
    """Turns incident steps into PagerDuty events in the outbox; the caller holds the transaction."""

    def __init__(self, *, store: PagerStore, settings: Settings) -> None:
        self.store = store
        self.page_on = PageOn(settings.pagerduty.page_on)
        self._paged = {t.name for t in settings.targets if settings.routing_key_for(t)}

    def paged(self, target: str) -> bool:
        """Whether incidents of ``target``'s tasks page anyone (a routing key applies to it)."""
        return target in self._paged

    def after_step(
        self, prev: TaskAlert, result: Step, seen: Seen, *, snoozed: bool, tag: str, now: datetime
    ) -> None:
        """A sweep's (or a Re-check's) step of one task's alert."""
        alert = result.alert
        if not self.paged(alert.target):
            return
        pages = incident_pages(prev, result)
        if self.page_on is PageOn.WARNING:
            meta = _WARNING_META + alert.task_arn
            was = self.store.get_meta(meta) or None
            more, now_open = warning_pages(alert, seen, open_key=was, snoozed=snoozed)
            pages += more
            if now_open != was:
                self.store.set_meta(meta, now_open or "")
        for page in pages:
            self._enqueue(page, alert, seen, tag=tag, now=now)

    def acknowledged(self, alert: TaskAlert, *, now: datetime) -> None:
        """Acknowledge in Slack acknowledges the page (once per incident)."""
        page = acknowledge_page(alert)
        if page is not None and self.paged(alert.target):
            self._enqueue(page, alert, None, tag="slack", now=now)

    def _enqueue(self, page: Page, alert: TaskAlert, seen: Seen, *, tag: str, now: datetime) -> None:
        payload = {
            "target": alert.target,
            "event": page_body(page, alert, seen, now=now),
            "channel": alert.channel,
            "post_key": post_key(alert.task_arn, alert.incident) if page.reason != "warning" else None,
        }
        self.store.enqueue(
            destination=destination(alert.target),
            kind=KIND,
            payload=payload,
            key=f"{KIND}:{page.dedup_key}:{page.reason}:{tag}",
            now=now,
        )
