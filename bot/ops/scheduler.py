"""Runs the sweep job right after start-up, then every ``check_every``, on one background thread.

A ``schedule.Scheduler`` instance (not the module-global one) drives the timing; a missed run is
not replayed, because the next sweep reports the same state anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import schedule

log = logging.getLogger(__name__)


class SweepScheduler:
    def __init__(self, job: Callable[[], None], *, every: float, tick: float = 0.5) -> None:
        self.job = job
        self.every = every
        self.tick = tick
        self.scheduler = schedule.Scheduler()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="dms-scheduler", daemon=True)
        self.runs = 0
        self._soon = threading.Event()
        self._job: schedule.Job | None = None

    def add(self, seconds: float, job: Callable[[], object]) -> None:
        """Another periodic job on the same thread (reminders, digest checks, retention)."""
        self.scheduler.every(max(1, round(seconds))).seconds.do(self._safely, job)

    def start(self) -> None:
        self._job = self.scheduler.every(max(1, round(self.every))).seconds.do(self._safely, self.job)
        self.thread.start()

    def run_soon(self) -> None:
        """Run the job at the next tick and count the period from then (a replica that has just
        become the leader sweeps at once)."""
        self._soon.set()

    def _loop(self) -> None:
        self._soon.clear()  # the loop starts with a run anyway
        self._safely(self.job)
        while not self.stopping.wait(self.tick):
            if self._soon.is_set() and self._job is not None:
                self._soon.clear()
                self._job.run()  # type: ignore[no-untyped-call]  # schedule's Job.run also sets its next run a full period later
            self.scheduler.run_pending()

    def _safely(self, job: Callable[[], object]) -> None:
        if self.stopping.is_set():
            return
        try:
            job()
        except Exception:  # one bad run must not stop the schedule
            log.exception("scheduled job %s failed", getattr(job, "__name__", job))
        self.runs += 1

    def alive(self) -> bool:
        """False once the loop has ended (stopped, or killed by a bug); True until then, even before start()."""
        return self.thread.ident is None or self.thread.is_alive()

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the loop to stop; True if it ended within ``timeout``."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        return not self.thread.is_alive()
