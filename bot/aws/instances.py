"""Replication instance identifiers, cached: CloudWatch names a task's instance by identifier, DMS
tasks carry only the instance ARN, and DescribeReplicationInstances costs DMS budget.

A sweep asks for the instances of the tasks it saw. The cache answers without a call while it is
younger than ``ttl``; an ARN it has never seen (a new instance) refreshes it once, but an ARN still
unknown after a refresh (deleted mid-sweep, or not visible to this role) waits ``retry`` seconds
before it may cost another refresh, so a broken instance cannot turn every sweep into extra calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

INSTANCE_TTL = 3600.0  # instance names never change; new instances are cache misses anyway
INSTANCE_RETRY = 300.0


class InstanceCache:
    """ARN -> identifier, loaded by ``load`` (which may raise; nothing is cached then)."""

    def __init__(
        self,
        load: Callable[[], dict[str, str]],
        *,
        ttl: float = INSTANCE_TTL,
        retry: float = INSTANCE_RETRY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load, self.ttl, self.retry, self._monotonic = load, ttl, retry, monotonic
        self._lock = threading.Lock()
        self._ids: dict[str, str] = {}
        self._loaded_at: float | None = None
        self._missing: dict[str, float] = {}  # ARN -> when a refresh last failed to find it

    def get(self) -> dict[str, str]:
        """All identifiers, refreshed when older than ``ttl``."""
        with self._lock:
            if self._stale():
                self._refresh()
            return dict(self._ids)

    def lookup(self, arns: Iterable[str]) -> dict[str, str]:
        """Identifiers of ``arns`` that exist; refreshes when stale or when an ARN is new to it."""
        wanted = set(arns)
        with self._lock:
            now = self._monotonic()
            new = {
                a for a in wanted - set(self._ids) if now - self._missing.get(a, -self.retry) >= self.retry
            }
            if self._stale() or new:
                self._refresh()
                self._missing.update((a, now) for a in new - set(self._ids))
            return {a: self._ids[a] for a in wanted if a in self._ids}

    def _stale(self) -> bool:
        return self._loaded_at is None or self._monotonic() - self._loaded_at >= self.ttl

    def _refresh(self) -> None:
        ids = self._load()
        self._ids, self._loaded_at = ids, self._monotonic()
        self._missing = {a: t for a, t in self._missing.items() if a not in ids}
