"""The dead-man's switch: a GET of a ping URL after each sweep, so that silence raises the alarm.

Services such as healthchecks.io and Cronitor alert when a URL they gave you stops being requested
on time; a plain GET (or POST) of it means "still alive", and a second URL means "ran, but failed".
The leader pings ``url`` after each completed sweep and ``fail_url`` when a sweep could not run at
all. Pings go out on a thread of their own with a short timeout and no retry (the next sweep pings
again; the service's grace period absorbs one lost ping), so a slow or dead receiver never delays
or fails a sweep: it costs one warning line, which names only the URL's host (ping URLs carry
their check's token).
"""

from __future__ import annotations

import logging
import queue
import threading

import requests

from bot import __version__
from bot.core.models import Report
from bot.deliver.webhook import redact_url, timed_out
from bot.settings import HeartbeatSettings

log = logging.getLogger("bot.heartbeat")

COMPLETED = frozenset({"ok", "partial"})  # the sweep ran (its findings are DMS's problem, not ours)
FAILED = "failed"  # no target could even be listed, or the sweep raised
BACKLOG = 2  # pings waiting behind a slow receiver; more are dropped (the next sweep pings again)


class Heartbeat:
    """A :class:`bot.app.cycle.SweepObserver` that pings after each sweep the leader finishes
    (``SweepCycle`` tells its observers nothing on a standby, nor of an abandoned sweep)."""

    def __init__(
        self,
        settings: HeartbeatSettings,
        *,
        session: requests.Session | None = None,
        background: bool = True,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"dms-validation-bot/{__version__}"
        self.background = background  # False: ping on the caller's thread (tests, one-off runs)
        self.sent = 0  # pings answered with a success status
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=BACKLOG)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def started(self) -> None:
        pass

    def finished(self, outcome: str, *, seconds: float, report: Report | None) -> None:
        url = self.settings.url if outcome in COMPLETED else None
        if outcome == FAILED:
            url = self.settings.fail_url
        if url:
            self._submit(url.reveal())

    def ping(self, url: str) -> bool:
        """One GET; True on a 2xx/3xx answer, else one warning line (the URL redacted)."""
        where, timeout = redact_url(url), self.settings.timeout
        try:
            response = self.session.get(url, timeout=timeout)
        except requests.RequestException as exc:
            problem = (
                f"no answer within {timeout:g}s" if timed_out(exc) else f"unreachable ({type(exc).__name__})"
            )
            log.warning("heartbeat %s: %s; the sweep is not affected", where, problem)
            return False
        if response.status_code >= 400:
            log.warning("heartbeat %s: HTTP %d; the sweep is not affected", where, response.status_code)
            return False
        self.sent += 1
        return True

    def _submit(self, url: str) -> None:
        if not self.background:
            self.ping(url)
            return
        self._start()
        try:
            self._queue.put_nowait(url)
        except queue.Full:
            log.warning("heartbeat %s: skipped, earlier pings are still waiting for it", redact_url(url))

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while (url := self._queue.get()) is not None:
            try:
                self.ping(url)
            except Exception:  # a bug: keep pinging after the next sweeps
                log.exception("heartbeat failed")
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def drain(self, timeout: float) -> bool:
        """Wait until every ping submitted so far has been sent (or has failed); True if so."""
        with self._queue.all_tasks_done:
            return self._queue.all_tasks_done.wait_for(lambda: not self._queue.unfinished_tasks, timeout)

    def close(self, timeout: float = 1.0) -> None:
        """Let the ping in flight finish (within ``timeout``) and stop the thread."""
        if self._thread is None:
            return
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return  # the thread is a daemon: it ends with the process
        self._thread.join(timeout)
