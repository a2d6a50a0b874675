"""The standbys watch the leader: no sweep for 3 times ``check_every`` gets one warning in the report
channel, and "sweeps resumed" once they come back.

Every replica checks every minute; only a standby warns (the leader cannot vouch for itself), any
replica says "resumed" (after a failover the standby that warned is often the new leader).

Several standbys, one message per outage: the outage is named by the last sweep before it, and its
message is queued in the outbox under a key made from that id. :meth:`Outbox.enqueue` is idempotent
per key, so the first replica to queue it wins and the others find it queued. A standby cannot leave
it to the outbox, though: only the leader delivers, and the leader may be the one that died. So
every replica that sees the message pending sends it at once itself (``send_now``); the item's
lease lets exactly one of them send it, and a send that fails stays in the outbox, retried by the
next check or by the next leader. The outage's id is kept in ``meta`` with the warning, in the same
transaction, so that any replica can tell later that sweeps have come back after a warned outage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.app.alert_queue import slack_destination
from bot.core.records import SweepRow
from bot.errors import StoreError
from bot.render.kit import SlackMessage
from bot.render.sweep_watch import Stall, resumed_message, stalled_message
from bot.store.base import Meta, Outbox, SweepHistory, Transactional
from bot.store.leases import LeaseView

log = logging.getLogger("bot.sweep_watch")

STALLED_AFTER = 3  # sweeps missed in a row before a standby warns
META = "sweeps_stalled"  # "<id of the last sweep before a warned outage>|<its time>"; "": none


class WatchStore(SweepHistory, Outbox, Meta, Transactional, Protocol):
    """What the watch reads (the last sweep), queues (its two messages) and remembers (the outage)."""


class SweepWatch:
    """``check()`` every minute on every replica of a PostgreSQL store."""

    def __init__(
        self,
        *,
        store: WatchStore,
        channel: str,
        check_every: float,
        standby: Callable[[], bool],
        lease: Callable[[], LeaseView | None],
        send_now: Callable[[str], bool],
        clock: Callable[[], datetime],
        replica: str = "",
    ) -> None:
        self.store, self.channel = store, channel
        self.patience = timedelta(seconds=STALLED_AFTER * check_every)
        self.check_every = check_every
        self.standby, self.lease, self.send_now = standby, lease, send_now
        self.clock, self.replica = clock, replica
        self.watching_since = clock()  # a standby judges only the time it has itself watched
        self._store_failing = False

    def check(self) -> None:
        """Warn of a stalled leader, or say sweeps resumed; a store that fails is one log line."""
        try:
            self._check(self.clock())
        except StoreError as exc:
            if not self._store_failing:
                log.warning("sweep watch: paused until the store answers again: %s", exc)
            self._store_failing = True
        else:
            self._store_failing = False

    def _check(self, now: datetime) -> None:
        last = self.store.last_sweep()
        warned = _outage(self.store.get_meta(META))
        if warned is not None and (last.id if last else 0) > warned[0]:
            assert last is not None
            self._resumed(warned, last, now)
        elif self.standby() and self._overdue(last, now):
            self._stalled(last, now, warned)

    def _overdue(self, last: SweepRow | None, now: datetime) -> bool:
        since = max(last.checked_at, self.watching_since) if last else self.watching_since
        return now - since >= self.patience

    def _stalled(
        self, last: SweepRow | None, now: datetime, warned: tuple[int, datetime | None] | None
    ) -> None:
        outage = last.id if last else 0
        key = f"sweeps.stalled:{outage}"
        if warned is None or warned[0] != outage:
            stall = self._stall(last, now)
            if self._queue(key, stalled_message(stall), now, remember=_meta(outage, last)):
                log.warning(
                    "no DMS sweep since %s; leader %s: warning channel %s",
                    last.checked_at.isoformat() if last else "ever",
                    stall.leader or "none",
                    self.channel,
                )
        self.send_now(key)

    def _stall(self, last: SweepRow | None, now: datetime) -> Stall:
        view = self.lease()
        seen = now - timedelta(seconds=view.renewed_ago) if view else None
        return Stall(
            last_sweep_at=last.checked_at if last else None,
            now=now,
            check_every=self.check_every,
            leader=view.holder if view else None,
            leader_seen_at=seen,
            noticed_by=self.replica,
        )

    def _resumed(self, warned: tuple[int, datetime | None], last: SweepRow, now: datetime) -> None:
        key = f"sweeps.resumed:{warned[0]}"
        message = resumed_message(at=last.checked_at, stalled_since=warned[1])
        if self._queue(key, message, now, remember=""):
            log.info("DMS sweeps resumed (sweep %d): telling channel %s", last.id, self.channel)
        self.send_now(key)

    def _queue(self, key: str, message: SlackMessage, now: datetime, *, remember: str) -> bool:
        """Queue ``message`` under ``key`` and set the outage in ``meta``, once for all replicas."""
        with self.store.transaction():
            queued = self.store.enqueue(
                destination=slack_destination(self.channel),
                kind="slack.post",
                payload={"channel": self.channel, **message.to_dict()},
                key=key,
                now=now,
            )
            if queued is not None:
                self.store.set_meta(META, remember)
        return queued is not None


def _meta(outage: int, last: SweepRow | None) -> str:
    return f"{outage}|{last.checked_at.isoformat() if last else ''}"


def _outage(value: str | None) -> tuple[int, datetime | None] | None:
    """The warned outage in ``meta``: (last sweep id before it, that sweep's time); None: none."""
    if not value:
        return None
    ident, _, at = value.partition("|")
    try:
        return int(ident), datetime.fromisoformat(at) if at else None
    except ValueError:
        return None
