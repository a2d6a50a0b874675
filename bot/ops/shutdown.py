"""How ``serve`` stops on SIGTERM/SIGINT: within a deadline, losing nothing, exit 0.

1. ``/healthz`` answers 503 (load balancers drain) and no new sweep starts; a Slack request that
   arrives from now on is answered "the bot is restarting; try again in a minute" (a command in its
   acknowledgement, a click through its response_url, an event with 503 so Slack sends it again).
2. The running sweep, and the clicks, commands and events being handled, get
   ``DMS_BOT_SHUTDOWN_DEADLINE`` seconds (default 20) to finish. A Slack interaction still running
   then is answered "restarting" on its behalf (anything it says later is not sent). After that
   it is abandoned, which loses nothing: a sweep writes its record, every task's alert state and
   the outbox entries they cause in one transaction *after* it completes, so an unfinished sweep
   has written nothing, and the next start sweeps again. Its remaining DMS calls are refused
   (each fails at once instead of waiting for the network or the rate budget), so it unwinds fast.
3. Slack ingress stops (HTTP server or socket closed); Slack work still queued does nothing (its
   user was told), so nothing new is handed to the listener thread pool once it is shut down.
4. The outbox delivers what it can within FLUSH_DEADLINE; the rest stays queued in the store and
   goes out on the next start.
5. A leader resigns its lease (several replicas on PostgreSQL), so a standby takes over at once
   rather than after ``leader_timeout``.
6. Once the listener threads are done, the store is closed and the process exits 0. If a thread is
   still stuck in a network call, Python would wait for it at exit (thread pools are joined), so the
   process exits without it, and without closing the store under it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError

from bot.ops.metrics import DMS_EVENTS
from bot.ops.scheduler import SweepScheduler

if TYPE_CHECKING:
    from bot.app.wiring import Services
    from bot.deliver.deliverer import Deliverer
    from bot.ops.leadership import Leadership
    from bot.ops.running import Ops
    from bot.slack.inflight import InFlight

log = logging.getLogger("bot.serve")

UNWIND_GRACE = 3.0  # for an abandoned sweep to return once its DMS calls are refused
FLUSH_DEADLINE = 5.0
THREAD_GRACE = 2.0

Closer = Callable[[], None]


class ShuttingDown(BotoCoreError):  # type: ignore[misc]  # botocore is untyped
    """Raised instead of sending a DMS request once the bot has abandoned its sweep."""

    fmt = "not sent: the bot is shutting down"


def refuse_dms_calls(client: Any) -> None:
    """From now on, every DMS request of ``client`` fails at once with :class:`ShuttingDown`."""

    def refuse(**_: Any) -> None:
        raise ShuttingDown()

    # first: before the gateway's handler, which may wait for a token from the rate budget
    client.meta.events.register_first(f"before-send.{DMS_EVENTS}", refuse, unique_id="dms-bot-refuse")


def shutdown(
    services: Services,
    executor: Executor,
    ops: Ops,
    scheduler: SweepScheduler,
    closers: list[Closer],
    *,
    deadline: float,
    leadership: Leadership | None = None,
    inflight: InFlight | None = None,
) -> int:
    ops.shutting_down.set()
    end = time.monotonic() + deadline
    if inflight is not None:
        inflight.close()
    log.info("shutting down: no new sweeps; the running one and Slack work in flight get up to %gs", deadline)
    swept = scheduler.stop(timeout=deadline)
    if inflight is not None:
        _drain(inflight, until=end, deadline=deadline)
    if not swept:
        _abandon(services, ops, scheduler, deadline)
    for close in closers:
        _quietly(close)
    if isinstance(executor, ThreadPoolExecutor):
        executor.shutdown(wait=False)  # what is still queued only notices its user was answered
    flushed = _flush(services.deliverer)
    if leadership is not None:
        _quietly(leadership.stop)
    if not flushed:
        log.warning(
            "outbox not flushed within %.0fs; what is left goes out on the next start", FLUSH_DEADLINE
        )
    stuck = _stuck_threads(THREAD_GRACE)
    if stuck or not flushed or scheduler.thread.is_alive():
        log.warning("exiting without waiting for: %s", ", ".join(stuck) or "the outbox or the sweep")
        _exit_now(0)
    services.store.close()
    log.info("stopped")
    return 0


def _drain(inflight: InFlight, *, until: float, deadline: float) -> None:
    """Slack work in flight finishes by ``until``; what has not is answered "restarting"."""
    if inflight.wait_idle(max(0.0, until - time.monotonic())):
        return
    told = inflight.expire()
    log.warning("Slack work still running after %gs: %d user(s) told the bot is restarting", deadline, told)


def _abandon(services: Services, ops: Ops, scheduler: SweepScheduler, deadline: float) -> None:
    ops.abandoned.set()  # before refusing calls: the sweep must see it when it returns
    for watched in services.sweeps.watched:
        refuse_dms_calls(watched.gateway.client)
    log.warning(
        "the running sweep did not finish within %gs: abandoning it (nothing of it is saved)", deadline
    )
    scheduler.stop(timeout=UNWIND_GRACE)


def _quietly(close: Closer) -> None:
    try:
        close()
    except Exception:
        log.exception("error while closing")


def _flush(deliverer: Deliverer) -> bool:
    """``Deliverer.stop`` (finish the item in flight, one last pass) on a thread, within the deadline."""
    flusher = threading.Thread(
        target=deliverer.stop, kwargs={"timeout": FLUSH_DEADLINE / 2}, name="outbox-flush", daemon=True
    )
    flusher.start()
    flusher.join(FLUSH_DEADLINE)
    return not flusher.is_alive()


def _stuck_threads(grace: float) -> list[str]:
    """Non-daemon threads (thread pool workers) still running after ``grace`` seconds."""
    end = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, end - time.monotonic()))
    return [
        t.name
        for t in threading.enumerate()
        if t.is_alive() and not t.daemon and t is not threading.current_thread()
    ]


def _exit_now(code: int) -> None:
    """Exit without joining stuck threads; the store is consistent (SQLite commits are atomic)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
