"""One DMS API budget for several replicas: the bucket lives in the database, not in each process.

With a PostgreSQL store every replica takes its tokens from the same row per (account, region)
(:class:`bot.store.budget.PostgresBudget`), so ``[dms_api] rate/burst`` holds for the sum of all
replicas' calls, interactive ones included. Within a process the rules of :class:`TokenBucket`
stay: an interactive caller goes ahead of sweep callers waiting for a token, and one thread at a
time asks the database, for as many tokens as there are callers waiting (at most ``batch``) and
no sooner than the row can give them, so a busy sweep pays one round trip per few calls and an idle
process holds no token it will not use.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from bot.aws.budget import BudgetRegistry, Priority, TokenBucket
from bot.errors import StoreError
from bot.settings import ApiBudget

log = logging.getLogger("bot.budget")

# Most tokens one round trip takes. Measured (python -m bench.budget_batch, 250 calls at 20/s, 8
# threads): batch 1, 2, 4, 8 made 1.00, 0.50, 0.26, 0.13 round trips per call and took 1.001x,
# 1.006x, 1.016x, 1.036x the floor time (the last batch waits for its tokens). 4: a quarter of the
# round trips for under 2% of a sweep's time; a person waiting still asks for one token at a time.
BATCH = 4
RETRY_EVERY = 5.0  # seconds between attempts to reach the database while falling back


class TokenSource(Protocol):
    def take(self, account: str, region: str, *, want: int, rate: float, burst: int) -> tuple[int, float]:
        """Up to ``want`` tokens: (granted, left in the shared bucket); StoreError when unreachable."""
        ...


class SharedTokenBucket(TokenBucket):
    """A :class:`TokenBucket` whose tokens come from a shared bucket in the database.

    **When the database cannot be reached** the process does not stop calling DMS (a person asking
    ``/dms status`` still gets an answer) and does not crash: it logs one warning and paces its calls
    with an in-process bucket at the full share, starting from the tokens it already held (no fresh
    burst), then tries the database again every ``retry_every`` seconds and logs once when it is back.
    Why the full share and not a fraction: a process cut off from the database cannot know how many
    replicas there are, and it loses leadership within ``[ha] leader_timeout``, so sweeps, the only
    bulk DMS callers, stop on every replica; what remains is people's questions, a few calls each.
    The group can then exceed the share only by replicas that fell back at the same moment, each at
    most the share, and DMS's own bucket (200 tokens at 8/s; 100 at 4/s on the older quota) is four
    (at least two) times the default share.
    """

    def __init__(
        self,
        budget: ApiBudget,
        *,
        source: TokenSource,
        account: str,
        region: str,
        batch: int = BATCH,
        retry_every: float = RETRY_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(budget, clock=clock)
        self.source, self.account, self.region = source, account, region
        self.batch = max(1, batch)
        self.retry_every = retry_every
        self._tokens = 0.0  # tokens taken from the database and not yet handed out
        self._fetching = False  # a thread is asking the database (the lock released meanwhile)
        self._one_at = -math.inf  # when the shared bucket will next have a whole token
        self._batch_at = -math.inf  # when it will have what the last take fell short of
        self._retry_at = math.inf  # falling back until then (inf: not falling back)
        self.round_trips = 0
        self.fallbacks = 0  # times the database could not be reached

    @property
    def falling_back(self) -> bool:
        return not math.isinf(self._retry_at)

    def _take_one(self, level: Priority) -> bool:
        if not self._my_turn(level):
            return False
        waiting = min(self.batch, sum(self._waiting.values()))
        if self.falling_back:
            if self._clock() < self._retry_at or self._fetching:
                return super()._take_one(level)  # the in-process bucket
            self._fetch(waiting)  # time to try the database again
            if self.falling_back:
                return super()._take_one(level)
        elif self._tokens < 1.0 and not self._fetching and self._clock() >= self._due():
            self._fetch(waiting)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def _pause(self) -> float:
        now = self._clock()
        if self.falling_back:
            return max(0.001, min(super()._pause(), self._retry_at - now))
        if self._fetching:
            return 0.05  # woken as soon as the fetch ends
        return max(0.001, self._due() - now)

    def _due(self) -> float:
        """When to ask the database again: a person waits for one token, a sweep for a batch."""
        return self._one_at if self._waiting[Priority.INTERACTIVE] else self._batch_at

    def _fetch(self, want: int) -> None:
        """Ask the database for ``want`` tokens, with the lock released while it answers."""
        self._fetching = True
        self._cond.release()
        try:
            answer: tuple[int, float] | StoreError = self.source.take(
                self.account, self.region, want=want, rate=self.rate, burst=self.burst
            )
        except StoreError as exc:
            answer = exc
        finally:
            self._cond.acquire()
            self._fetching = False
            self.round_trips += 1
            self._cond.notify_all()
        if isinstance(answer, StoreError):
            self._fall_back(answer)
            return
        granted, left = answer
        self._recovered()
        self._tokens += granted
        self._plan_next(want, left)

    def _plan_next(self, want: int, left: float) -> None:
        """No round trip before the row can give one token (a person is waiting) or as many as this
        take asked for (a sweep): asking sooner would only come back empty. Plus 1 ms for the clocks."""
        now = self._clock() + 0.001
        self._one_at = now + max(0.0, 1.0 - left) / self.rate
        self._batch_at = now + max(0.0, min(want, self.burst) - left) / self.rate

    def _fall_back(self, exc: StoreError) -> None:
        now = self._clock()
        if not self.falling_back:
            self.fallbacks += 1
            log.warning(
                "DMS API budget %s/%s: the shared bucket cannot be reached (%s); this process paces "
                "its own DMS calls at the full share until it can",
                self.account,
                self.region,
                exc,
            )
            self._stamp = now  # refill from now: the tokens already held, no fresh burst
        self._retry_at = now + self.retry_every

    def _recovered(self) -> None:
        if self.falling_back:
            self._retry_at = math.inf
            self._tokens = 0.0  # what the in-process bucket refilled was never taken from the row
            log.info("DMS API budget %s/%s: the shared bucket is back", self.account, self.region)

    def available(self) -> float:
        """Tokens this process holds now (the shared bucket's are not counted)."""
        with self._cond:
            if self.falling_back:
                self._refill()
            return self._tokens


class SharedBudgetRegistry(BudgetRegistry):
    """One :class:`SharedTokenBucket` per (account, region), all taking from ``source``."""

    def __init__(
        self, source: TokenSource, *, batch: int = BATCH, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(clock)
        self.source, self.batch = source, batch

    def _new(self, account: str, region: str, budget: ApiBudget) -> TokenBucket:
        return SharedTokenBucket(
            budget, source=self.source, account=account, region=region, batch=self.batch, clock=self._clock
        )
