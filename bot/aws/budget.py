"""The bot's share of the DMS API budget: a client-side token bucket with priorities.

DMS throttles each account+region with a bucket of 100 tokens refilled at 4/s, shared with every
console user and script. The bot takes at most its configured share (default 2/s, burst 50), and a
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
from collections.abc import Callable, Iterator

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

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _my_turn(self, level: Priority) -> bool:
        return all(self._waiting[p] == 0 for p in Priority if p < level)

    def acquire(self, level: Priority | None = None) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited."""
        level = current_priority() if level is None else level
        started = self._clock()
        with self._cond:
            self._waiting[level] += 1
            try:
                while True:
                    self._refill()
                    if self._tokens >= 1.0 and self._my_turn(level):
                        self._tokens -= 1.0
                        break
                    shortfall = max(0.0, 1.0 - self._tokens) / self.rate
                    self._cond.wait(timeout=max(shortfall, 0.001))
            finally:
                self._waiting[level] -= 1
                self._cond.notify_all()
        waited = self._clock() - started
        self.acquired += 1
        self.waited_seconds += waited
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
                self._buckets[key] = TokenBucket(budget, clock=self._clock)
            return self._buckets[key]
