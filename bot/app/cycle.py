"""One scheduled sweep from start to end: sweep, remember, decide what to say, wake the outbox.

Shared by ``serve`` (the scheduler runs it) and the tests that step the serve loop by hand. How the
sweep went is told to an observer (``serve`` feeds /healthz and /metrics from it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from bot.app.incidents import Incidents
from bot.app.sweeps import Sweeps
from bot.core.models import Report
from bot.errors import Fenced, StoreError

log = logging.getLogger("bot.serve")


class SweepObserver(Protocol):
    def started(self) -> None: ...

    def finished(self, outcome: str, *, seconds: float, report: Report | None) -> None: ...


class NoObserver:
    def started(self) -> None:
        pass

    def finished(self, outcome: str, *, seconds: float, report: Report | None) -> None:
        pass


class Observers:
    """Several observers of one cycle (``serve``: /healthz and /metrics, and the heartbeat)."""

    def __init__(self, *observers: SweepObserver) -> None:
        self.observers = observers

    def started(self) -> None:
        for observer in self.observers:
            observer.started()

    def finished(self, outcome: str, *, seconds: float, report: Report | None) -> None:
        for observer in self.observers:
            observer.finished(outcome, seconds=seconds, report=report)


def sweep_outcome(report: Report, *, targets: int) -> str:
    """``failed`` when no target could even be listed (DMS was not reached at all), ``partial`` when
    some tasks could not be checked, else ``ok``. Failure *verdicts* are DMS's problem, not the bot's:
    a sweep that found them did its job."""
    unlisted = {e.target for e in report.errors if e.unlisted}
    if targets and len(unlisted) >= targets:
        return "failed"
    return "partial" if report.errors else "ok"


class SweepCycle:
    def __init__(
        self,
        *,
        sweeps: Sweeps,
        incidents: Incidents,
        observer: SweepObserver | None = None,
        abandoned: threading.Event | None = None,
        wake: Callable[[], None] = lambda: None,
        leader: Callable[[], int | None] | None = None,
    ) -> None:
        self.sweeps = sweeps
        # the leader's epoch, or None on a standby (which does not sweep); no ``leader``: one
        # process, always sweeping, its writes unfenced
        self.leader = leader
        self.incidents = incidents
        self.observer = observer or NoObserver()
        self.abandoned = abandoned or threading.Event()  # set at shutdown: the sweep running is cut short
        self.wake = wake

    def run(self) -> None:
        """Sweep, remember, decide what to say (all in the store), then wake the outbox.

        Only the leader sweeps. Its decisions are written fenced by the epoch it swept under, so a
        sweep that outlives this replica's leadership is abandoned with nothing written or sent."""
        epoch = self.leader() if self.leader is not None else None
        if self.leader is not None and epoch is None:
            return  # a standby
        self.observer.started()
        started = time.monotonic()
        try:
            report = self.sweeps.sweep()
            if self.abandoned.is_set() or self._lost(epoch):  # its errors are ours, not DMS's
                self._abandon(started, "at shutdown" if self.abandoned.is_set() else "leadership lost")
                return
            report = self.incidents.after_sweep(report, epoch=epoch)
        except Fenced as exc:
            self._abandon(started, f"leadership lost ({exc})")
            return
        except Exception as exc:
            self.observer.finished("failed", seconds=time.monotonic() - started, report=None)
            if isinstance(exc, StoreError):  # locked, read-only, full: one line; the next sweep retries
                log.error("sweep checked but not saved, so no alerts from it: %s", exc)
                return
            raise
        self._finish(report, started)

    def _lost(self, epoch: int | None) -> bool:
        return self.leader is not None and self.leader() != epoch

    def _abandon(self, started: float, why: str) -> None:
        self.observer.finished("abandoned", seconds=time.monotonic() - started, report=None)
        log.warning("sweep abandoned (%s); nothing of it was saved", why)

    def _finish(self, report: Report, started: float) -> None:
        outcome = sweep_outcome(report, targets=len(self.sweeps.watched))
        self.observer.finished(outcome, seconds=time.monotonic() - started, report=report)
        self.wake()
        _log_sweep(outcome, report)


def _log_sweep(outcome: str, report: Report) -> None:
    s = report.summary
    log.info(
        "sweep %s: %d tasks, %d failure, %d warning, %d errors in %.1fs",
        outcome,
        s.tasks,
        s.failure,
        s.warning,
        s.errors,
        report.duration_seconds or 0,
    )
