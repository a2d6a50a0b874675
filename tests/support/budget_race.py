"""The priority race both token buckets must win: sweep calls queued on an empty bucket, then one
interactive call, which must get the next token rather than wait behind them."""

from __future__ import annotations

import threading
import time

from bot.aws.budget import Priority, TokenBucket, priority


def interactive_among_waiting_sweeps(
    bucket: TokenBucket, *, sweeps: int = 5, settle: float = 0.03
) -> tuple[int, float]:
    """(the interactive call's place in the order served, how long it waited)."""
    order: list[str] = []
    lock = threading.Lock()

    def sweep_call(i: int) -> None:
        bucket.acquire(Priority.SWEEP)
        with lock:
            order.append(f"sweep{i}")

    sweepers = [threading.Thread(target=sweep_call, args=(i,)) for i in range(sweeps)]
    for t in sweepers:
        t.start()
    time.sleep(settle)  # every sweep call is now waiting
    with priority(Priority.INTERACTIVE):
        waited = bucket.acquire()
    with lock:
        order.append("interactive")
    for t in sweepers:
        t.join()
    return order.index("interactive"), waited
