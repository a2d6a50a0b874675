"""Which replica leads: the one that sweeps, sends the digest, prunes and delivers the outbox.

A thread renews the lease (:mod:`bot.store.leases`) every ``leader_timeout / 6``; the lease lasts
``2/3`` of it, so a leader that stops renewing (killed, frozen, cut off) is replaced within
``leader_timeout`` (expiry, plus one attempt interval of the next replica), and a leader survives
three failed renewals in a row. This replica considers itself leader only until its own lease would
have expired, counted from *before* the renewal it sent, on the boot-time clock (which keeps
counting while the process is stopped or the host is suspended): a replica that wakes from SIGSTOP
knows at once it may not lead, before it has even asked the database.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError

from bot.aws.budget import Priority, current_priority
from bot.errors import StoreError
from bot.ops.metrics import DMS_EVENTS
from bot.store.leases import Claim, Lease

log = logging.getLogger("bot.leadership")

LEASE_SHARE = 2 / 3  # of leader_timeout: how long one renewal holds the lease
ATTEMPTS_PER_TIMEOUT = 6  # renewals (and a standby's attempts) per leader_timeout
Listener = Callable[[int | None], None]  # the new epoch when this replica starts leading, else None
T = TypeVar("T")


def identity() -> str:
    """``host:pid``, how logs, /healthz and ``doctor`` name a replica."""
    return f"{socket.gethostname()}:{os.getpid()}"


def boottime() -> float:
    """Seconds on a clock that also runs while the process is stopped or the host suspended."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) if hasattr(time, "CLOCK_BOOTTIME") else time.monotonic()


class Leadership:
    """This replica's view of the lease; ``epoch()`` is what the leader-only work asks."""

    def __init__(self, lease: Lease, *, timeout: float, clock: Callable[[], float] = boottime) -> None:
        self.lease = lease
        self.holder = lease.holder
        self.ttl = timeout * LEASE_SHARE
        self.every = timeout / ATTEMPTS_PER_TIMEOUT
        self.clock = clock
        self.changes = 0
        self.leader_since: float | None = None  # on ``clock``, while leading
        self._held: int | None = None
        self._valid_until = -math.inf
        self._leader_seen: str | None = None  # "holder, epoch N" of the last lease read
        self._announced: bool | None = None  # the role last logged (None: none yet)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def epoch(self) -> int | None:
        """This replica's epoch while its lease is valid; None while it is a standby."""
        with self._lock:
            return self._held if self.clock() < self._valid_until else None

    def is_leader(self) -> bool:
        return self.epoch() is not None

    def role(self) -> tuple[bool, float | None]:
        """(this replica leads, for how many seconds), for /healthz."""
        since = self.leader_since
        leading = self.is_leader()
        return leading, (self.clock() - since) if leading and since is not None else None

    def tick(self) -> None:
        """One acquire-or-renew attempt, then announce any change of role."""
        sent_at = self.clock()
        try:
            claim = self.lease.claim(self._held, ttl=self.ttl)
        except StoreError as exc:
            log.warning("leadership: could not renew or take the lease: %s", exc)
            with self._lock:
                self._leader_seen = None  # unknown: the lease could not even be read
        else:
            self._record(claim, sent_at)
        self.announce()

    def _record(self, claim: Claim, sent_at: float) -> None:
        with self._lock:
            if claim.leader:
                forever = claim.lease is not None and math.isinf(claim.lease.expires_in)  # SQLite
                self._held, self._valid_until = claim.epoch, math.inf if forever else sent_at + self.ttl
            else:
                self._held, self._valid_until = None, -math.inf
            view = claim.lease
            self._leader_seen = f"{view.holder}, epoch {view.epoch}" if view and not view.expired else None

    def announce(self) -> None:
        """Log (one line), count and tell the listeners when this replica's role has changed."""
        epoch = self.epoch()
        leading = epoch is not None
        if leading == self._announced:
            return
        first, self._announced = self._announced is None, leading
        if leading or not first:
            self.changes += 1
        self.leader_since = self.clock() if leading else None
        if leading:
            log.info("leadership: this replica (%s) is now leader, epoch %d", self.holder, epoch)
        else:
            leader = self._leader_seen or "unknown (no valid lease seen, or the database did not answer)"
            log.info("leadership: this replica (%s) is now standby, leader is %s", self.holder, leader)
        for listener in self._listeners:
            _safely(listener, epoch)

    def start(self) -> None:
        """Take or wait for the lease on a thread of its own (one attempt at once, here)."""
        self.tick()
        if math.isinf(self._valid_until) and self._valid_until > 0:
            return  # a lease that never expires (SQLite): nothing to renew
        self.thread = threading.Thread(target=self._loop, name="leadership", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._pause()):
            self.tick()

    def _pause(self) -> float:
        """Until the next attempt, or the moment the lease held would expire, if that comes first."""
        with self._lock:
            left = self._valid_until - self.clock()
        return max(0.05, min(self.every, left)) if left > 0 else self.every

    def stop(self, *, resign: bool = True) -> None:
        """Stop renewing; with ``resign`` let the lease expire now, so a standby takes over at once."""
        self._stop.set()
        if self.thread is not None:
            self.thread.join(self.every + 5)
        held = self.epoch()
        with self._lock:
            self._held, self._valid_until = None, -math.inf
        if resign and held is not None:
            try:
                self.lease.resign(held)
                log.info("leadership: this replica (%s) resigned, epoch %d", self.holder, held)
            except StoreError as exc:
                log.warning("leadership: could not resign (the lease expires by itself): %s", exc)
        self.lease.close()


def leader_only(leadership: Leadership, job: Callable[[], T]) -> Callable[[], T | None]:
    """``job`` when this replica leads, else nothing (the digest and pruning on the scheduler)."""

    def run() -> T | None:
        return job() if leadership.is_leader() else None

    run.__name__ = getattr(job, "__name__", "job")
    return run


class NotLeader(BotoCoreError):  # type: ignore[misc]  # botocore is untyped
    """Raised instead of sending a scheduled sweep's DMS request once this replica has stopped
    leading (a sweep in flight when it froze, or lost the database)."""

    fmt = "not sent: this replica is no longer the leader"


def refuse_sweep_calls_unless_leader(client: Any, leading: Callable[[], bool]) -> None:
    """A scheduled sweep's DMS requests (SWEEP priority) fail at once while this replica does not
    lead; questions from Slack (INTERACTIVE) are answered by every replica."""

    def refuse(**_: Any) -> None:
        if current_priority() is Priority.SWEEP and not leading():
            raise NotLeader()

    # first: before the gateway's handler, which may wait for a token from the rate budget
    client.meta.events.register_first(f"before-send.{DMS_EVENTS}", refuse, unique_id="dms-bot-leader-only")


def _safely(listener: Listener, epoch: int | None) -> None:
    try:
        listener(epoch)
    except Exception:
        log.exception("leadership: a listener failed")


__all__ = ["Leadership", "boottime", "identity", "leader_only"]
