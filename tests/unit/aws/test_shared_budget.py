"""One DMS budget for several processes, on the real PostgreSQL: two buckets on two engines (two
replicas) sharing one row hand out at most ``burst + rate x elapsed`` between them; interactive
callers still go first within a process; with the database unreachable a bucket keeps pacing calls
in-process, warns once, and goes back to the shared row when the database is back."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from bot.aws.budget import Priority
from bot.aws.shared_budget import SharedBudgetRegistry, SharedTokenBucket
from bot.settings import ApiBudget
from bot.store.budget import PostgresBudget
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.support.budget_race import interactive_among_waiting_sweeps
from tests.support.databases import POSTGRES_ENV, require_server, scratch_database, unique_name

ACCOUNT, REGION = "123456789012", "eu-west-1"


def url_text(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def database() -> Iterator[str]:
    """A migrated database of the test's own (the ``dms_budget`` table exists)."""
    with scratch_database(POSTGRES_ENV) as url:
        SqlStore(url_text(url)).close()
        yield url_text(url)


@pytest.fixture
def replica(database: str) -> Iterator[Callable[..., SharedTokenBucket]]:
    """A bucket as one replica holds it: an engine of its own on the shared database."""
    sources: list[PostgresBudget] = []

    def make(rate: float = 20.0, burst: int = 5, **options: float) -> SharedTokenBucket:
        sources.append(PostgresBudget(locate(database)))
        budget = ApiBudget(rate=rate, burst=burst)
        return SharedTokenBucket(budget, source=sources[-1], account=ACCOUNT, region=REGION, **options)  # type: ignore[arg-type]

    yield make
    for source in sources:
        source.close()


def test_two_replicas_sharing_a_row_never_exceed_burst_plus_rate_x_elapsed(
    replica: Callable[..., SharedTokenBucket],
) -> None:
    rate, burst, seconds = 20.0, 5, 1.5
    buckets = [replica(rate, burst), replica(rate, burst)]
    stamps: list[float] = []
    lock = threading.Lock()
    started = time.monotonic()

    def caller(bucket: SharedTokenBucket) -> None:
        while time.monotonic() - started < seconds:
            bucket.acquire(Priority.SWEEP)
            with lock:
                stamps.append(time.monotonic() - started)

    threads = [threading.Thread(target=caller, args=(b,)) for b in buckets for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, stamp in enumerate(sorted(stamps)):
        assert i + 1 <= burst + rate * stamp + 1  # +1: the database's and this clock's granularity
    assert len(stamps) >= 0.8 * (burst + rate * seconds)  # and the budget was used, not starved
    assert all(b.acquired > 0 for b in buckets)  # by both replicas


def test_interactive_calls_go_ahead_of_waiting_sweep_calls_in_a_replica(
    replica: Callable[..., SharedTokenBucket],
) -> None:
    bucket, other = replica(10.0, 1), replica(10.0, 1)
    other.acquire(Priority.SWEEP)  # another replica emptied the shared bucket
    place, waited = interactive_among_waiting_sweeps(bucket)
    assert place <= 1  # at most one sweep call was already being served
    assert waited < 0.35
    assert bucket.acquired_by == {Priority.INTERACTIVE: 1, Priority.SWEEP: 5}


def test_an_unreachable_database_falls_back_to_the_share_in_process_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = PostgresBudget(locate("postgresql://postgres@127.0.0.1:1/nothing"), timeout=1)
    bucket = SharedTokenBucket(
        ApiBudget(rate=20.0, burst=5), source=source, account=ACCOUNT, region=REGION, retry_every=60
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.budget"):
        for _ in range(10):
            bucket.acquire(Priority.INTERACTIVE)
    elapsed = time.monotonic() - started
    assert elapsed >= 10 / 20.0 - 0.05  # no fresh burst: every token refilled at the share's rate
    assert bucket.falling_back and bucket.fallbacks == 1 and bucket.round_trips == 1
    warnings = [r for r in caplog.records if r.name == "bot.budget"]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0].getMessage()
    source.close()


def test_a_bucket_goes_back_to_the_shared_row_when_the_database_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database does not exist at first (a real refusal), then is created and migrated."""
    admin = require_server(POSTGRES_ENV)
    name = unique_name("dms_bot_budget")
    later = url_text(admin.set(database=name))
    source = PostgresBudget(locate(later), timeout=1)
    bucket = SharedTokenBucket(
        ApiBudget(rate=50.0, burst=5), source=source, account=ACCOUNT, region=REGION, retry_every=0.2
    )
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with caplog.at_level(logging.INFO, logger="bot.budget"):
            bucket.acquire()
            assert bucket.falling_back
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            SqlStore(later).close()
            time.sleep(0.25)
            bucket.acquire()
        assert not bucket.falling_back and bucket.fallbacks == 1
        assert "the shared bucket is back" in caplog.text
        _, left = source.take(ACCOUNT, REGION, want=0, rate=0.0, burst=5)  # a look, no refill
        assert 4 <= left < 4.1  # created full, and it paid for the call made after the recovery
    finally:
        source.close()
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def test_the_registry_gives_one_shared_bucket_per_account_and_region(database: str) -> None:
    source = PostgresBudget(locate(database))
    registry = SharedBudgetRegistry(source)
    a = registry.bucket(ACCOUNT, REGION, ApiBudget())
    assert isinstance(a, SharedTokenBucket) and registry.bucket(ACCOUNT, REGION, ApiBudget()) is a
    assert registry.bucket(ACCOUNT, "us-east-1", ApiBudget()) is not a
    source.close()
