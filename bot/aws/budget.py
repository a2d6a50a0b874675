"""The bot's share of the DMS API budget: a client-side token bucket with priorities.

DMS throttles each account+region with one bucket shared with every console user and script: 200
tokens refilled at 8/s on its current quota page, 100 and 4/s on older ones. The bot takes at most
its configured share (default 2/s, burst 50: safe under either), and a
caller answering a person in Slack goes ahead of background sweep calls waiting for a token.
Every HTTP attempt botocore makes (retries included) passes through :meth:`TokenBucket.acquire`
via a ``before-send`` hook, so the share holds whatever botocore decides to retry.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from bot.settings import ApiBudget


class Priority(enum.IntEnum):
    INTERACTIVE = 0  # a person is waiting: /dms, buttons
    SWEEP = 1  # scheduled or CLI sweeps


_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar("dms_priority", default=Priority.SWEEP)


@contextlib.contextmanager
def priority(level: Priority) -> Iterator[None]:
    """DMS calls made inside this block (in this thread) wait in the ``level`` queue."""
    token = _priority.set(level)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> Priority:
    return _priority.get()


_thread = threading.local()


def thread_usage() -> tuple[int, float]:
    """Tokens this thread has taken from any bucket, and the seconds it spent waiting for them."""
    return getattr(_thread, "calls", 0), getattr(_thread, "waited", 0.0)


class TokenBucket:
    """Thread-safe token bucket; interactive waiters are always served before sweep waiters."""

    def __init__(
        self,
        budget: ApiBudget,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = budget.rate
        self.burst = budget.burst
        self._clock = clock
        self._tokens = float(budget.burst)
        self._stamp = clock()
        self._cond = threading.Condition()
        self._waiting = {p: 0 for p in Priority}
        self.acquired = 0
        self.waited_seconds = 0.0
        self.acquired_by = {p: 0 for p in Priority}
        self.waited_by = {p: 0.0 for p in Priority}

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _my_turn(self, level: Priority) -> bool:
        return all(self._waiting[p] == 0 for p in Priority if p < level)

    def _take_one(self, level: Priority) -> bool:
        """With the lock held: take a token if there is one and it is ``level``'s turn."""
        self._refill()
        if self._tokens >= 1.0 and self._my_turn(level):
            self._tokens -= 1.0
            return True
        return False

    def _pause(self) -> float:
        """With the lock held: how long a waiter sleeps before it looks again (if not woken first)."""
        return max(max(0.0, 1.0 - self._tokens) / self.rate, 0.001)

    def acquire(self, level: Priority | None = None) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited."""
        level = current_priority() if level is None else level
        started = self._clock()
        with self._cond:
            self._waiting[level] += 1
            try:
                while not self._take_one(level):
                    self._cond.wait(timeout=self._pause())
            finally:
                self._waiting[level] -= 1
                self._cond.notify_all()
            waited = self._clock() - started
            self.acquired += 1
            self.waited_seconds += waited
            self.acquired_by[level] += 1
            self.waited_by[level] += waited
        _thread.calls = getattr(_thread, "calls", 0) + 1
        _thread.waited = getattr(_thread, "waited", 0.0) + waited
        return waited

    def available(self) -> float:
        with self._cond:
            self._refill()
            return self._tokens


def pool_size(budget: ApiBudget, *, call_latency: float = 0.5, ceiling: int = 16) -> int:
    """Workers needed to keep ``budget.rate`` calls/s in flight when one call takes ``call_latency``.

    Little's law: concurrency = rate x latency. One extra worker covers jitter; beyond that,
    workers would only queue on the bucket (and hold memory) without finishing sooner.
    """
    return max(2, min(ceiling, math.ceil(budget.rate * call_latency) + 1))


class PoolSizer:
    """Little's law with the latency measured, not assumed: how many calls a sweep keeps in flight.

    ``call_latency`` is only the first guess; every finished job reports how long its calls kept a
    worker busy (token waits excluded), and a moving average of that replaces the guess, so a slow
    region or a big page widens the pool during the sweep that discovers it. The burst is not a
    reason for more workers: draining it with many threads at once makes the process slower to
    answer Slack, and a sweep that outlasts the burst ends no sooner, since the buckets set its pace.
    """

    def __init__(
        self,
        buckets: Sequence[TokenBucket],
        *,
        call_latency: float = 0.5,
        ceiling: int = 16,
        smoothing: float = 0.2,
    ) -> None:
        self.buckets = tuple({id(b): b for b in buckets}.values())
        self.ceiling = max(2, ceiling)
        self._latency = call_latency
        self._smoothing = smoothing
        self._observed = False
        self._lock = threading.Lock()

    @property
    def latency(self) -> float:
        """Seconds one call keeps a worker busy: the guess until a job has been measured."""
        with self._lock:
            return self._latency

    def observe(self, calls: int, busy_seconds: float) -> None:
        """A finished job: ``calls`` DMS calls that kept its worker busy ``busy_seconds`` in all."""
        if calls <= 0:
            return
        sample = max(0.0, busy_seconds) / calls
        with self._lock:
            if self._observed:
                self._latency += self._smoothing * (sample - self._latency)
            else:
                self._latency, self._observed = sample, True

    def size(self) -> int:
        """Workers to keep busy: the buckets' total rate x measured latency, + 1 for jitter."""
        rate = sum(b.rate for b in self.buckets)
        return pool_size(ApiBudget(rate=rate), call_latency=self.latency, ceiling=self.ceiling)


class BudgetRegistry:
    """One bucket per (account, region), shared by every target that points at it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def bucket(self, account: str, region: str, budget: ApiBudget) -> TokenBucket:
        with self._lock:
            key = (account, region)
            if key not in self._buckets:
                self._buckets[key] = self._new(account, region, budget)
            return self._buckets[key]

    def _new(self, account: str, region: str, budget: ApiBudget) -> TokenBucket:
        return TokenBucket(budget, clock=self._clock)
