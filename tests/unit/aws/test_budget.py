"""The client-side DMS budget: rate, burst, and interactive calls ahead of sweep calls."""

from __future__ import annotations

import threading
import time

from bot.aws.budget import BudgetRegistry, TokenBucket, pool_size
from bot.settings import ApiBudget
from tests.support.budget_race import interactive_among_waiting_sweeps


def test_burst_is_free_then_rate_applies() -> None:
    """The first `burst` tokens are immediate; the next ones come at `rate` per second."""
    bucket = TokenBucket(ApiBudget(rate=5.0, burst=5))
    started = time.monotonic()
    for _ in range(5):
        bucket.acquire()
    assert time.monotonic() - started < 0.3  # no wait at all; the margin is for a busy machine
    for _ in range(4):
        bucket.acquire()
    elapsed = time.monotonic() - started
    assert 0.75 <= elapsed < 2.0  # 4 tokens at 5/s = 0.8 s


def test_never_exceeds_its_share_over_a_window() -> None:
    """Over a window, acquisitions never exceed burst + rate x elapsed."""
    bucket = TokenBucket(ApiBudget(rate=50.0, burst=10))
    stamps: list[float] = []
    lock = threading.Lock()
    start = time.monotonic()

    def worker() -> None:
        for _ in range(15):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic() - start)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, stamp in enumerate(sorted(stamps)):
        assert i + 1 <= 10 + 50.0 * stamp + 1  # +1 for clock granularity


def test_interactive_goes_ahead_of_waiting_sweep_calls() -> None:
    """With sweep calls queued on an empty bucket, an interactive call gets the next token."""
    bucket = TokenBucket(ApiBudget(rate=10.0, burst=1))
    bucket.acquire()  # empty it
    place, waited = interactive_among_waiting_sweeps(bucket, settle=0.02)
    assert place <= 1  # at most one sweep call was already being served
    assert waited < 0.25


def test_registry_shares_one_bucket_per_account_and_region() -> None:
    """Two targets in the same account and region share the budget; another region does not."""
    registry = BudgetRegistry()
    a = registry.bucket("123", "eu-west-1", ApiBudget())
    assert registry.bucket("123", "eu-west-1", ApiBudget(rate=9)) is a
    assert registry.bucket("123", "us-east-1", ApiBudget()) is not a


def test_pool_is_sized_by_the_budget() -> None:
    """Workers follow rate x latency (Little's law), within sane bounds."""
    assert pool_size(ApiBudget(rate=2.0)) == 2
    assert pool_size(ApiBudget(rate=20.0)) == 11
    assert pool_size(ApiBudget(rate=1000.0)) == 16
