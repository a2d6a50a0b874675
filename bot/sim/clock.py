"""Scenario time and the account-wide DMS request bucket that refills on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SimClock:
    """Scenario seconds = real elapsed x ``time_scale`` + whatever ``advance`` added.

    ``clock`` is a monotonic seconds source, injectable so unit tests need not sleep.
    """

    def __init__(self, time_scale: float = 1.0, clock: Callable[[], float] | None = None) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self._source = clock or time.monotonic
        self._scale = time_scale
        self._lock = threading.Lock()
        self._anchor = self._source()
        self._offset = 0.0

    def now(self) -> float:
        """Scenario seconds since the anchor (construction or ``restart``)."""
        with self._lock:
            return (self._source() - self._anchor) * self._scale + self._offset

    def advance(self, seconds: float) -> float:
        """Jump the scenario forward; returns the new scenario time."""
        if seconds < 0:
            raise ValueError("scenario time only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def restart(self) -> None:
        """Re-anchor real elapsed time (the server calls this on start); advances are kept."""
        with self._lock:
            self._anchor = self._source()


# DMS's API quota per account and region (reference/dms-api.md section 4): the current CHAP_Limits page
# says 200 requests, refilled 8/s; older copies of the page said 100 and 4/s.
QUOTAS: dict[str, tuple[float, float]] = {"current": (200.0, 8.0), "old": (100.0, 4.0)}
DEFAULT_QUOTA = "current"


def quota(name: str = DEFAULT_QUOTA) -> tuple[float, float]:
    """(capacity, refill per second) of a named DMS quota; ValueError naming the choices."""
    if name not in QUOTAS:
        raise ValueError(f"unknown DMS quota {name!r}; expected one of {', '.join(QUOTAS)}")
    return QUOTAS[name]


class TokenBucket:
    """DMS's per account+region quota: ``capacity`` tokens, refilled ``refill``/s of scenario time
    (by default the current quota, 200 and 8/s)."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        capacity: float = QUOTAS[DEFAULT_QUOTA][0],
        refill: float = QUOTAS[DEFAULT_QUOTA][1],
        enabled: bool = True,
    ) -> None:
        self._now = now
        self._lock = threading.Lock()
        self.capacity, self.refill, self.enabled = float(capacity), float(refill), enabled
        self._tokens = self.capacity
        self._stamp = now()

    def take(self) -> bool:
        """Spend one token; False means the request is throttled."""
        with self._lock:
            if not self.enabled:
                return True
            self._top_up()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def tokens(self) -> float:
        """Tokens available now (for tests and the control endpoint)."""
        with self._lock:
            self._top_up()
            return self._tokens

    def configure(
        self, *, capacity: float | None = None, refill: float | None = None, enabled: bool | None = None
    ) -> None:
        """Change the bucket's shape; it starts full again."""
        with self._lock:
            if capacity is not None:
                self.capacity = float(capacity)
            if refill is not None:
                self.refill = float(refill)
            if enabled is not None:
                self.enabled = enabled
            self._tokens, self._stamp = self.capacity, self._now()

    def _top_up(self) -> None:
        now = self._now()
        self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._stamp) * self.refill)
        self._stamp = now
