"""Digest: the daily digest at ``digest_at`` (in ``timezone``), and the store's retention pruning.

Checked every minute rather than scheduled at a wall-clock time, so a restart, a DST change or a
sweep running past the hour neither skips nor repeats a day: the outbox key names the date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app.alert_queue import slack_destination
from bot.render.digest import digest_message
from bot.settings import Settings
from bot.store.base import DigestStore, SweepHistory

log = logging.getLogger(__name__)
_META = "digest:last_date"
CLAIMS_KEPT = timedelta(days=1)  # far longer than Slack retries an event (about 5 minutes)


def digest_due(now: datetime, settings: Settings, last_date: str | None) -> str | None:
    """The local date to send a digest for, or None if it is not time (or it was sent)."""
    at = settings.schedule.digest_at
    if at is None:
        return None
    local = now.astimezone(ZoneInfo(settings.schedule.timezone))
    today = local.date().isoformat()
    if local.time() < at or last_date == today:
        return None
    return today


def targets_by_channel(settings: Settings) -> dict[str, set[str]]:
    """Each channel summarises the targets whose alerts go there (teams own different tasks)."""
    channels: dict[str, set[str]] = {}
    for target in settings.targets:
        channel = settings.channel_for(target)
        if channel:
            channels.setdefault(channel, set()).add(target.name)
    return channels


class Digest:
    """Today's digest, once per channel, and the store's retention pruning (both run every minute or
    hour from the scheduler; both are safe to run again)."""

    def __init__(
        self,
        *,
        store: DigestStore,
        settings: Settings,
        clock: Callable[[], datetime],
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.wake = wake

    def send_if_due(self) -> bool:
        """Queue today's digest for every channel once (and wake the outbox); True if queued now."""
        queued = queue_digest(self.store, self.settings, self.clock)
        if queued:
            self.wake()
        return queued

    def prune(self) -> int:
        """Retention, and the once-only claims (Slack event ids) nobody can repeat any more."""
        forgotten = self.store.forget_claims(older_than=self.clock() - CLAIMS_KEPT)
        return prune(self.store, self.settings, self.clock) + forgotten


def queue_digest(store: DigestStore, settings: Settings, clock: Callable[[], datetime]) -> bool:
    """Queue today's digest for every channel once; True if queued now."""
    now = clock()
    day = digest_due(now, settings, store.get_meta(_META))
    if day is None:
        return False
    rows, alerts = store.latest_verdicts(), store.list_alerts()
    snoozes, last_sweep = store.active_snoozes(now), store.last_sweep()
    with store.transaction():
        for channel, targets in sorted(targets_by_channel(settings).items()):
            mine = [a for a in alerts if a.target in targets]
            arns = {a.task_arn for a in mine} | {
                r.task_arn for r in rows if r.target in targets and r.task_arn
            }
            message = digest_message(
                [r for r in rows if r.target in targets],
                mine,
                {arn: z for arn, z in snoozes.items() if arn in arns},
                now=now,
                last_sweep=last_sweep,
            )
            store.enqueue(
                destination=slack_destination(channel),
                kind="slack.post",
                payload={"channel": channel, **message.to_dict()},
                key=f"digest:{day}:{channel}",
                now=now,
            )
        store.set_meta(_META, day)
    log.info("daily digest for %s queued", day)
    return True


def prune(store: SweepHistory, settings: Settings, clock: Callable[[], datetime]) -> int:
    removed = store.prune(older_than=clock() - timedelta(days=settings.store.retention_days))
    if removed:
        log.info("pruned %d old rows from the store", removed)
    return removed
