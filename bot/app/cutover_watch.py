""" "Tell me when ready": the cutover gate re-judged every minute for up to ``[cutover] watch_for``,
with one post in the watch's thread each time its answer turns (ready, or not ready any more) and
one when the watch ends.

The rules live here, tested without Slack: at most one watch per task (a second request gets the
running watch and who started it); the gate is asked at most once a minute per watch, at
background priority in the DMS budget (CloudWatch at the same cadence); only the leader judges,
each write fenced by its epoch. A watch is a row in the store, so a restart or a new leader
carries on where the last one stopped; every post goes through the outbox under a key made from
(watch, turn), so a judgement made twice (two leaders in a failover, a retry) is posted once.
With a webhook configured, each turn is also POSTed as ``{"event": "cutover_ready" |
"cutover_not_ready", ...the ready document}``, signed and retried like the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.app.alert_queue import WEBHOOK, slack_destination
from bot.aws.budget import Priority
from bot.core.readiness import Readiness, readiness_document
from bot.deliver.webhook import encode
from bot.errors import BotError, Fenced, StoreError, TaskNotFound
from bot.render.kit import SlackMessage
from bot.render.ready import (
    turned_not_ready_reply,
    turned_ready_reply,
    watch_anchor_message,
    watch_expired_reply,
    watch_gone_reply,
)
from bot.store.base import CutoverWatch, CutoverWatchBook, Outbox, Transactional

log = logging.getLogger("bot.cutover_watch")

EVERY = 60.0  # seconds: the gate is asked at most this often per watch
READY_EVENT, NOT_READY_EVENT = "cutover_ready", "cutover_not_ready"


class Gate(Protocol):
    """The cutover gate (:class:`bot.app.cutover.CutoverGate`): every check, with its evidence."""

    def assess(
        self,
        ref: str,
        *,
        max_lag: float | None = None,
        steady: float | None = None,
        since: datetime | None = None,
        level: Priority = Priority.INTERACTIVE,
    ) -> Readiness: ...


class WatchStore(CutoverWatchBook, Outbox, Transactional, Protocol):
    """What the watches keep (their rows) and say (outbox entries), in one transaction."""


@dataclass(frozen=True, slots=True)
class Started:
    """``new``: this request started ``watch``; otherwise ``watch`` was already running."""

    watch: CutoverWatch
    new: bool


def anchor_key(watch_id: int) -> str:
    return f"cutover:{watch_id}:start"


class CutoverWatches:
    """``/dms ready`` and the workflow step (:meth:`assess`), the watches (:meth:`watch`, :meth:`tick`)."""

    def __init__(
        self,
        *,
        store: WatchStore,
        gate: Gate,
        clock: Callable[[], datetime],
        watch_for: float,
        max_lag: float,
        steady: float,
        webhook: bool = False,
        every: float = EVERY,
        leader: Callable[[], int | None] | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.gate, self.clock = store, gate, clock
        self.watch_for, self.max_lag, self.steady = watch_for, max_lag, steady
        self.webhook, self.every = webhook, every
        self.leader = leader  # the leader's epoch, or None on a standby; no ``leader``: always judge
        self.wake = wake or (lambda: None)
        self._store_failing = False

    def assess(self, ref: str, *, max_lag: float | None = None) -> Readiness:
        """The gate's answer now, for a person waiting (interactive priority in the DMS budget)."""
        return self.gate.assess(ref, max_lag=max_lag, level=Priority.INTERACTIVE)

    def watching(self, task_arn: str) -> CutoverWatch | None:
        """The task's running watch, if any (the answer names who started it)."""
        return self.store.active_watch(task_arn)

    def watch(self, r: Readiness, *, channel: str, user: str) -> Started:
        """Start watching ``r``'s task for ``user``, posting in ``channel``; or the running watch."""
        now = self.clock()
        until = now + timedelta(seconds=self.watch_for)
        with self.store.transaction():
            watch, new = self.store.add_watch(
                task_arn=r.task_arn,
                task_id=r.task_id,
                channel=channel,
                started_by=user,
                at=now,
                expires_at=until,
            )
            if new:  # judged just now: the first turn is counted from this answer
                watch = replace(watch, ready=r.ready, checked_at=now)
                self.store.save_watch(watch)
                anchor = watch_anchor_message(r, task_id=r.task_id, started_by=user, until=until)
                self._post(watch, anchor, now)
        if new:
            log.info("cutover watch %d on %s started by %s until %s", watch.id, r.task_id, user, until)
            self.wake()
        return Started(watch, new)

    def tick(self) -> int:
        """Judge every watch that is due (the leader only); how many posts were queued."""
        epoch = self.leader() if self.leader is not None else None
        if self.leader is not None and epoch is None:
            return 0  # a standby: the leader watches
        queued = 0
        try:
            for watch in self.store.active_watches():
                queued += self._guarded(watch, epoch)
        except Fenced as exc:
            log.info("cutover watches: stopped, this replica no longer leads (%s)", exc)
        except StoreError as exc:
            if not self._store_failing:
                log.warning("cutover watches: paused until the store answers again: %s", exc)
            self._store_failing = True
        else:
            self._store_failing = False
        if queued:
            self.wake()
        return queued

    def _guarded(self, watch: CutoverWatch, epoch: int | None) -> int:
        """One watch's step; a bug in it is logged and the other watches still go."""
        try:
            return self._step(watch, epoch)
        except StoreError:
            raise  # the store (or this replica's epoch) is the whole tick's trouble
        except Exception:
            log.exception("cutover watch %d on %s failed", watch.id, watch.task_id)
            return 0

    def _step(self, watch: CutoverWatch, epoch: int | None) -> int:
        now = self.clock()
        if now >= watch.expires_at:
            return self._expire(watch, now, epoch)
        if watch.checked_at is not None and now - watch.checked_at < timedelta(seconds=self.every):
            return 0
        try:
            # background priority: a person's /dms goes first; CloudWatch is read at the same cadence
            r = self.gate.assess(
                watch.task_arn, max_lag=self.max_lag, steady=self.steady, level=Priority.SWEEP
            )
        except TaskNotFound:  # deleted (or renamed) since: nothing left to watch
            message = watch_gone_reply(task_id=watch.task_id, started_by=watch.started_by)
            return self._end(watch, now, epoch, why="task gone", message=message)
        except BotError as exc:  # DMS unreachable: no answer is no turn
            log.warning("cutover watch %d on %s: the gate could not judge: %s", watch.id, watch.task_id, exc)
            return self._save(watch, replace(watch, checked_at=now), epoch, None)
        turned = r.ready != bool(watch.ready) if watch.ready is not None else r.ready
        changes = watch.changes + (1 if turned else 0)
        return self._save(
            watch,
            replace(watch, ready=r.ready, checked_at=now, changes=changes),
            epoch,
            r if turned else None,
        )

    def _save(self, seen: CutoverWatch, new: CutoverWatch, epoch: int | None, turn: Readiness | None) -> int:
        """Write ``new`` (and queue ``turn``'s posts) unless another leader got there first."""
        with self.store.transaction(fence=epoch):
            if self.store.get_watch(seen.id, for_update=True) != seen:
                return 0  # judged or ended meanwhile by another replica: its posts stand
            self.store.save_watch(new)
            if turn is None:
                return 0
            self._turn(new, turn)
        log.info("cutover watch %d: %s is %sready", new.id, new.task_id, "" if turn.ready else "not ")
        return 1

    def _turn(self, watch: CutoverWatch, r: Readiness) -> None:
        now = self.clock()
        if r.ready:
            message = turned_ready_reply(
                r, max_lag=self.max_lag, steady=self.steady, started_by=watch.started_by
            )
        else:
            message = turned_not_ready_reply(r, started_by=watch.started_by)
        key = f"cutover:{watch.id}:turn:{watch.changes}"
        self._reply(watch, message, key, now)
        if self.webhook:
            event = {"event": READY_EVENT if r.ready else NOT_READY_EVENT, **readiness_document(r)}
            body = encode(event).decode()
            self.store.enqueue(
                destination=WEBHOOK, kind="webhook", payload={"body": body}, key=f"{key}:webhook", now=now
            )

    def _expire(self, watch: CutoverWatch, now: datetime, epoch: int | None) -> int:
        message = watch_expired_reply(
            task_id=watch.task_id,
            started_by=watch.started_by,
            watched_for=(watch.expires_at - watch.started_at).total_seconds(),
            ready=watch.ready,
        )
        return self._end(watch, now, epoch, why="expired", message=message)

    def _end(
        self, watch: CutoverWatch, now: datetime, epoch: int | None, *, why: str, message: SlackMessage
    ) -> int:
        """End the watch and say so once in its thread (unless another leader already did)."""
        with self.store.transaction(fence=epoch):
            if self.store.get_watch(watch.id, for_update=True) != watch:
                return 0
            self.store.save_watch(replace(watch, ended_at=now, ended=why))
            self._reply(watch, message, f"cutover:{watch.id}:ended", now)
        log.info("cutover watch %d on %s ended: %s", watch.id, watch.task_id, why)
        return 1

    def _post(self, watch: CutoverWatch, message: SlackMessage, now: datetime) -> None:
        payload: dict[str, Any] = {"channel": watch.channel, **message.to_dict()}
        self.store.enqueue(
            destination=slack_destination(watch.channel),
            kind="slack.post",
            payload=payload,
            key=anchor_key(watch.id),
            now=now,
        )

    def _reply(self, watch: CutoverWatch, message: SlackMessage, key: str, now: datetime) -> None:
        """In the thread of the watch's first post (the outbox waits for that post's ts)."""
        payload = {"channel": watch.channel, **message.to_dict(), "post_key": anchor_key(watch.id)}
        self.store.enqueue(
            destination=slack_destination(watch.channel),
            kind="slack.thread",
            payload=payload,
            key=key,
            now=now,
        )
