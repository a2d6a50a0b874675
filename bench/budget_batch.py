"""How many tokens a replica should take from the shared DMS budget per round trip (``BATCH``).

A :class:`SharedTokenBucket` on the real PostgreSQL row, with ``workers`` threads calling
``acquire`` as a sweep's pool does, for each batch size: round trips per token, and the time the
calls took against the floor ``(calls - burst) / rate``. Two loads: the default share scaled x10
(20/s; the budget sets the pace) and an unlimited one (the database sets the pace).
``python -m bench.budget_batch`` prints the table.
"""

from __future__ import annotations

import argparse
import threading
import time

from bot.aws.budget import Priority
from bot.aws.shared_budget import SharedTokenBucket
from bot.settings import ApiBudget
from bot.store.budget import PostgresBudget
from bot.store.location import locate
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database

BATCHES = (1, 2, 4, 8)
LOADS = (("share x10: 20/s, burst 50", 20.0, 50, 250), ("unlimited: 100000/s", 100000.0, 50, 3000))


def one(database: str, *, batch: int, rate: float, burst: int, calls: int, workers: int) -> str:
    source = PostgresBudget(locate(database))
    bucket = SharedTokenBucket(
        ApiBudget(rate=rate, burst=burst),
        source=source,
        account=f"batch-{batch}-{rate:g}",
        region="eu-west-1",
        batch=batch,
    )
    left = [calls]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            bucket.acquire(Priority.SWEEP)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    source.close()
    floor = max(0.0, calls - burst) / rate
    ratio = f"{seconds / floor:.3f}x" if floor > 0.01 else "n/a"
    return (
        f"| {batch} | {bucket.round_trips} | {bucket.round_trips / calls:.2f} | {seconds:.2f} s "
        f"| {ratio} | {calls / seconds:.0f}/s |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.budget_batch", description=__doc__)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    with scratch_database(POSTGRES_ENV) as url:
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        SqlStore(database).close()
        for name, rate, burst, calls in LOADS:
            print(f"\n{name}: {calls} calls, {args.workers} threads")
            print(
                "| batch | round trips | per call | time | time / floor | calls/s |\n|---|---|---|---|---|---|"
            )
            for batch in BATCHES:
                print(one(database, batch=batch, rate=rate, burst=burst, calls=calls, workers=args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
