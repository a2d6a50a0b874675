"""The shared DMS budget row on the real PostgreSQL: the first take creates it full, a take hands out
whole tokens only, the row refills at ``rate`` by the database's clock, and concurrent takers on
separate connections never get more than ``burst + rate x elapsed`` between them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.errors import StoreError
from bot.store.budget import PostgresBudget
from bot.store.location import locate
from bot.store.sql import SqlStore

RATE, BURST = 20.0, 5


@pytest.fixture
def budget_for(store: SqlStore) -> Iterator[Callable[[], PostgresBudget]]:
    """Replicas' views of the test's (migrated) database, each on its own engine."""
    made: list[PostgresBudget] = []

    def make() -> PostgresBudget:
        made.append(PostgresBudget(locate(store.where.target)))
        return made[-1]

    yield make
    for budget in made:
        budget.close()


def take(budget: PostgresBudget, want: int, *, region: str = "eu-west-1") -> tuple[int, float]:
    return budget.take("123456789012", region, want=want, rate=RATE, burst=BURST)


def test_the_first_take_creates_a_full_bucket_and_hands_out_whole_tokens(
    budget_for: Callable[[], PostgresBudget],
) -> None:
    budget = budget_for()
    granted, left = take(budget, 3)
    assert granted == 3 and 1.9 <= left <= 2.0
    granted, left = take(budget, 4)  # 2.x left: two whole tokens
    assert granted == 2 and 0 <= left < 1


def test_the_row_refills_at_rate_up_to_the_burst(budget_for: Callable[[], PostgresBudget]) -> None:
    budget = budget_for()
    take(budget, BURST)
    time.sleep(0.2)  # 4 tokens at 20/s
    granted, _ = take(budget, BURST)
    assert granted in (4, 5)  # 5 only if the machine overslept by 50 ms
    time.sleep(1.0)  # far more than the burst
    granted, left = take(budget, 100)
    assert (granted, left) == (BURST, 0.0)


def test_regions_have_rows_of_their_own(budget_for: Callable[[], PostgresBudget]) -> None:
    budget = budget_for()
    assert take(budget, BURST)[0] == BURST
    assert take(budget, BURST, region="us-east-1")[0] == BURST


def test_takers_on_separate_connections_never_exceed_burst_plus_rate_x_elapsed(
    budget_for: Callable[[], PostgresBudget],
) -> None:
    budgets = [budget_for(), budget_for()]
    grants: list[tuple[float, int]] = []
    lock = threading.Lock()
    started = time.monotonic()

    def taker(budget: PostgresBudget) -> None:
        while time.monotonic() - started < 1.0:
            granted, _ = take(budget, 2)
            with lock:
                grants.append((time.monotonic() - started, granted))

    threads = [threading.Thread(target=taker, args=(b,)) for b in budgets for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = 0
    for stamp, granted in sorted(grants):
        total += granted
        assert total <= BURST + RATE * stamp + 1  # +1: the two clocks' granularity
    assert total >= 0.8 * (BURST + RATE * 1.0)  # the takers did use the budget


def test_an_unreachable_server_is_one_store_error_without_the_password() -> None:
    budget = PostgresBudget(locate("postgresql://dmsbot:s3cret@127.0.0.1:1/nothing"), timeout=1)
    with pytest.raises(StoreError) as caught:
        take(budget, 1)
    assert "Cannot reach" in str(caught.value) and "s3cret" not in str(caught.value)
    budget.close()
