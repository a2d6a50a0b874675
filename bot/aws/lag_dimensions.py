"""Where CloudWatch files a DMS Serverless replication's CDC lag: discovered, never guessed.

AWS documents no dimension for the serverless ``CDCLatencySource``/``CDCLatencyTarget`` (a task's are
``ReplicationInstanceIdentifier`` + ``ReplicationTaskIdentifier``). The one example seen in the wild
is ``ReplicationConfigId`` = ``<account>:<config resource id>``, from a single third-party source:
UNVERIFIED (reference/dms-serverless.md section 5). So the bot asks CloudWatch: ListMetrics in
``AWS/DMS`` for ``CDCLatencySource`` (recently active series only), and takes for a replication the
dimension set one of whose values is its config's resource id (the ARN's last part) or its
identifier, either alone or after a ``:`` or ``/``. A task's series (it names a replication
instance) never matches. No match = no lag asked for = no lag finding; the table verdicts stand.

The listing is cached for ``ttl`` (an hour), like the replication instances in
:mod:`bot.aws.instances`: a replication the cache has not matched refreshes it once, and one still
unmatched after a refresh waits ``retry`` seconds before it may cost another ListMetrics.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from bot.core.models import Task

Dimensions = tuple[tuple[str, str], ...]  # ((name, value), ...) in CloudWatch's order
DIMENSIONS_TTL = 3600.0
DIMENSIONS_RETRY = 300.0
TASK_DIMENSION = "ReplicationInstanceIdentifier"  # only a classic task's series carry it
_SEPARATORS = (":", "/")


def _names(value: str, key: str) -> bool:
    """``value`` is ``key``, or ends with ``:key`` / ``/key``."""
    return bool(key) and (value == key or any(value.endswith(sep + key) for sep in _SEPARATORS))


def _score(dimensions: Dimensions, task: Task) -> int:
    """2: a value names the config's resource id; 1: its identifier; 0: neither (or a task's series)."""
    if any(name == TASK_DIMENSION for name, _ in dimensions):
        return 0
    values = [value for _, value in dimensions]
    if any(_names(v, task.resource_id) for v in values):
        return 2
    return 1 if any(_names(v, task.identifier) for v in values) else 0


def match(metrics: Iterable[Dimensions], task: Task) -> Dimensions | None:
    """The dimension set naming this replication: by resource id before identifier, then the set
    with the fewest dimensions (the per-replication series), then the first in sorted order."""
    scored = [(_score(d, task), d) for d in set(metrics)]
    candidates = [(-score, len(d), d) for score, d in scored if score > 0]
    return min(candidates)[2] if candidates else None


def dimension_names(metrics: Iterable[Dimensions]) -> list[str]:
    """The dimension names of the series that are not a task's (what doctor reports)."""
    names = {n for d in metrics if all(n != TASK_DIMENSION for n, _ in d) for n, _ in d}
    return sorted(names)


class LagDimensions:
    """Replication config ARN -> the dimensions of its lag series, from a cached ListMetrics.

    ``load`` lists the ``CDCLatencySource`` series (it may raise; nothing is cached then).
    """

    def __init__(
        self,
        load: Callable[[], list[Dimensions]],
        *,
        ttl: float = DIMENSIONS_TTL,
        retry: float = DIMENSIONS_RETRY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load, self.ttl, self.retry, self._monotonic = load, ttl, retry, monotonic
        self._lock = threading.Lock()
        self._metrics: list[Dimensions] = []
        self._loaded_at: float | None = None
        self._missing: dict[str, float] = {}  # config ARN -> when a refresh last failed to match it

    def lookup(self, tasks: Sequence[Task]) -> dict[str, Dimensions]:
        """The dimensions of each replication that has a lag series (unmatched ones are left out)."""
        with self._lock:
            now = self._monotonic()
            refreshed = self._stale()
            if refreshed:
                self._refresh()
            found = self._matched(tasks)
            new = [t for t in tasks if t.arn not in found and self._may_retry(t.arn, now)]
            if new and not refreshed:
                self._refresh()
                found = self._matched(tasks)
            self._missing.update((t.arn, now) for t in new if t.arn not in found)
            return found

    def _may_retry(self, arn: str, now: float) -> bool:
        return now - self._missing.get(arn, -self.retry) >= self.retry

    def metrics(self) -> list[Dimensions]:
        """Every listed series (refreshed when older than ``ttl``)."""
        with self._lock:
            if self._stale():
                self._refresh()
            return list(self._metrics)

    def _matched(self, tasks: Sequence[Task]) -> dict[str, Dimensions]:
        found = {t.arn: match(self._metrics, t) for t in tasks}
        return {arn: dims for arn, dims in found.items() if dims is not None}

    def _stale(self) -> bool:
        return self._loaded_at is None or self._monotonic() - self._loaded_at >= self.ttl

    def _refresh(self) -> None:
        metrics = self._load()
        self._metrics, self._loaded_at = metrics, self._monotonic()
