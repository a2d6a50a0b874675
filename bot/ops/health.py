"""``GET /healthz``: is the bot alive, and is it doing its job?

:func:`assess` is the whole decision, a pure function of plain values (tests feed it numbers);
:class:`SweepTracker` remembers how sweeps went and :class:`HealthProbe` gathers the inputs.

The bot is *ready* (200) when all of these hold, otherwise the answer is 503:

- a sweep succeeded within ``2 x check_every + SWEEP_GRACE`` (before the first success, the same
  allowance counts from start-up, or from becoming the leader, so a long first sweep of a big fleet
  is not a failure); the leader only: a standby (several replicas on PostgreSQL) does not sweep;
- Slack is reachable: the Socket Mode connection is up (HTTP mode: ``auth.test`` passed at start-up);
- the oldest undelivered outbox item is younger than ``OUTBOX_MAX_AGE`` (the leader only: a standby
  does not deliver), and the store can be read;
- the scheduler thread is alive, and the bot is not shutting down.

*Live* only says the scheduler thread runs: a liveness probe that restarts on "not ready" would
restart a bot that is correctly reporting that DMS or Slack is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.durations import format_duration

SWEEP_GRACE = 60.0  # seconds on top of two schedule periods: a slow sweep is not a dead one
OUTBOX_MAX_AGE = 900.0  # an alert undelivered for 15 minutes means Slack or the webhook is failing


@dataclass(frozen=True, slots=True)
class HealthLimits:
    sweep_grace: float = SWEEP_GRACE
    outbox_max_age: float = OUTBOX_MAX_AGE


@dataclass(frozen=True, slots=True)
class HealthInputs:
    """Everything :func:`assess` looks at; ages in seconds, None when there is nothing to age."""

    check_every: float
    uptime: float
    last_success_age: float | None  # since the last successful sweep ended
    sweep_running_for: float | None  # the sweep in progress, if any
    last_outcome: str | None
    sweeps: int
    slack_connected: bool
    slack_detail: str
    outbox_depth: int | None  # None: the store could not be read
    outbox_oldest_age: float | None
    scheduler_alive: bool
    shutting_down: bool = False
    leader: bool = True  # False: a standby replica, which neither sweeps nor delivers
    leader_for: float | None = None  # since this replica became the leader


def assess(i: HealthInputs, limits: HealthLimits = HealthLimits()) -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON details). Pure: no clock, no I/O."""
    sweep_limit = 2 * i.check_every + limits.sweep_grace
    age = i.last_success_age if i.last_success_age is not None else i.uptime
    if i.leader_for is not None:
        age = min(age, i.leader_for)
    sweep_ok = age <= sweep_limit or not i.leader
    outbox_ok = i.outbox_depth is not None and (
        i.outbox_oldest_age is None or i.outbox_oldest_age <= limits.outbox_max_age or not i.leader
    )
    problems = _problems(i, limits, age=age, sweep_limit=sweep_limit, sweep_ok=sweep_ok, outbox_ok=outbox_ok)
    ready = not problems
    details = {
        "status": "ok" if ready else "unavailable",
        "live": i.scheduler_alive,
        "ready": ready,
        "role": "leader" if i.leader else "standby",
        "uptime_seconds": round(i.uptime, 1),
        "checks": _checks(i, limits, sweep_limit=sweep_limit, sweep_ok=sweep_ok, outbox_ok=outbox_ok),
        "problems": problems,
    }
    return ready, details


def _checks(
    i: HealthInputs, limits: HealthLimits, *, sweep_limit: float, sweep_ok: bool, outbox_ok: bool
) -> dict[str, Any]:
    return {
        "sweep": {
            "ok": sweep_ok,
            "last_success_age_seconds": _round(i.last_success_age),
            "running_for_seconds": _round(i.sweep_running_for),
            "limit_seconds": sweep_limit,
            "last_outcome": i.last_outcome,
            "sweeps": i.sweeps,
            "applies": i.leader,
        },
        "slack": {"ok": i.slack_connected, "detail": i.slack_detail},
        "outbox": {
            "ok": outbox_ok,
            "depth": i.outbox_depth,
            "oldest_age_seconds": _round(i.outbox_oldest_age),
            "limit_seconds": limits.outbox_max_age,
            "applies": i.leader,
        },
        "scheduler": {"ok": i.scheduler_alive},
    }


def _problems(
    i: HealthInputs, limits: HealthLimits, *, age: float, sweep_limit: float, sweep_ok: bool, outbox_ok: bool
) -> list[str]:
    """One short sentence per reason the bot is not ready."""
    problems: list[str] = []
    if not sweep_ok:
        since = (
            "a successful sweep" if i.last_success_age is not None else "start-up without a successful sweep"
        )
        problems.append(f"{format_duration(age)} since {since} (limit {format_duration(sweep_limit)})")
    if not i.slack_connected:
        problems.append(f"Slack: {i.slack_detail}")
    if i.outbox_depth is None:
        problems.append("the store could not be read")
    elif not outbox_ok:
        oldest, limit = format_duration(i.outbox_oldest_age or 0), format_duration(limits.outbox_max_age)
        problems.append(f"oldest undelivered message is {oldest} old (limit {limit})")
    if not i.scheduler_alive:
        problems.append("the scheduler thread has stopped")
    if i.shutting_down:
        problems.append("shutting down")
    return problems


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class SweepTracker:
    """How the scheduled sweeps went, on the monotonic clock (thread-safe)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self.running_since: float | None = None
        self.last_success: float | None = None
        self.last_outcome: str | None = None
        self.sweeps = 0

    def started(self) -> None:
        with self._lock:
            self.running_since = self.monotonic()

    def finished(self, outcome: str, *, success: bool) -> None:
        with self._lock:
            now = self.monotonic()
            self.running_since = None
            self.last_outcome = outcome
            self.sweeps += 1
            if success:
                self.last_success = now

    def snapshot(self) -> tuple[float | None, float | None, str | None, int]:
        """(age of the last success, how long the current sweep runs, last outcome, sweeps)."""
        with self._lock:
            now = self.monotonic()
            success_age = None if self.last_success is None else now - self.last_success
            running = None if self.running_since is None else now - self.running_since
            return success_age, running, self.last_outcome, self.sweeps


OutboxStats = Callable[[], tuple[int, float | None]]
Role = Callable[[], tuple[bool, float | None]]  # (this replica leads, for how long)


def always_leader() -> tuple[bool, float | None]:
    return True, None


class HealthProbe:
    """Gathers :class:`HealthInputs` from the running bot; ``__call__`` is the ``/healthz`` answer."""

    def __init__(
        self,
        *,
        tracker: SweepTracker,
        check_every: float,
        scheduler_alive: Callable[[], bool],
        slack_state: Callable[[], tuple[bool, str]],
        outbox_stats: OutboxStats,
        shutting_down: threading.Event,
        limits: HealthLimits = HealthLimits(),
        role: Role = always_leader,
    ) -> None:
        self.tracker = tracker
        self.check_every = check_every
        self.scheduler_alive = scheduler_alive
        self.slack_state = slack_state
        self.outbox_stats = outbox_stats
        self.shutting_down = shutting_down
        self.limits = limits
        self.role = role
        self.started_at = tracker.monotonic()

    def inputs(self) -> HealthInputs:
        success_age, running, outcome, sweeps = self.tracker.snapshot()
        connected, detail = self.slack_state()
        try:
            depth, oldest = self.outbox_stats()
        except Exception:  # a locked or vanished store must not break the health answer itself
            depth, oldest = None, None
        leader, leader_for = self.role()
        return HealthInputs(
            check_every=self.check_every,
            uptime=self.tracker.monotonic() - self.started_at,
            last_success_age=success_age,
            sweep_running_for=running,
            last_outcome=outcome,
            sweeps=sweeps,
            slack_connected=connected,
            slack_detail=detail,
            outbox_depth=depth,
            outbox_oldest_age=oldest,
            scheduler_alive=self.scheduler_alive(),
            shutting_down=self.shutting_down.is_set(),
            leader=leader,
            leader_for=leader_for,
        )

    def __call__(self) -> tuple[bool, dict[str, Any]]:
        return assess(self.inputs(), self.limits)
