"""The /healthz decision as a pure function of plain values, and the pieces that feed it."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.app.cycle import sweep_outcome
from bot.core.models import Report, TaskError
from bot.ops.health import HealthInputs, HealthLimits, HealthProbe, SweepTracker, assess

EVERY = 900.0  # 15 minutes: the sweep allowance is 2 x 900 + 60 = 1860 s
HEALTHY = HealthInputs(
    check_every=EVERY,
    uptime=3600,
    last_success_age=120,
    sweep_running_for=None,
    last_outcome="ok",
    sweeps=4,
    slack_connected=True,
    slack_detail="Socket Mode connected",
    outbox_depth=0,
    outbox_oldest_age=None,
    scheduler_alive=True,
)


def test_a_bot_doing_its_job_is_ready() -> None:
    """Recent sweep, Slack connected, empty outbox, scheduler alive: ready, live, no problems."""
    ready, details = assess(HEALTHY)
    assert ready
    assert details["status"] == "ok" and details["live"] and details["problems"] == []
    assert details["checks"]["sweep"]["limit_seconds"] == 1860


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"last_success_age": 1861}, "since a successful sweep"),
        (
            {"slack_connected": False, "slack_detail": "Socket Mode disconnected"},
            "Slack: Socket Mode disconnected",
        ),
        ({"outbox_depth": 3, "outbox_oldest_age": 901}, "oldest undelivered message"),
        ({"outbox_depth": None}, "the store could not be read"),
        ({"scheduler_alive": False}, "the scheduler thread has stopped"),
        ({"shutting_down": True}, "shutting down"),
    ],
)
def test_each_failing_dependency_makes_the_bot_unready(change: dict, problem: str) -> None:
    """Any one broken dependency turns readiness off and names itself in ``problems``."""
    ready, details = assess(replace(HEALTHY, **change))
    assert not ready
    assert details["status"] == "unavailable"
    assert len(details["problems"]) == 1 and problem in details["problems"][0]


def test_sweep_allowance_is_two_periods_plus_grace() -> None:
    """A sweep 1860 s ago is still fine; one second more is not."""
    assert assess(replace(HEALTHY, last_success_age=1860))[0]
    assert not assess(replace(HEALTHY, last_success_age=1861))[0]
    assert assess(replace(HEALTHY, last_success_age=100), HealthLimits(sweep_grace=0))[0]


def test_first_sweep_still_running_within_the_start_up_allowance_is_ready() -> None:
    """Before any success, readiness counts from start-up: a long first sweep is not a failure."""
    starting = replace(
        HEALTHY, uptime=600, last_success_age=None, sweep_running_for=599, last_outcome=None, sweeps=0
    )
    assert assess(starting)[0]
    ready, details = assess(replace(starting, uptime=1900, sweep_running_for=1899))
    assert not ready and "start-up without a successful sweep" in details["problems"][0]


def test_outbox_backlog_is_fine_while_it_is_young() -> None:
    """A deep but young outbox (a burst of alerts) is not a failure; an old item is."""
    assert assess(replace(HEALTHY, outbox_depth=500, outbox_oldest_age=60))[0]
    assert not assess(replace(HEALTHY, outbox_depth=1, outbox_oldest_age=901))[0]


def test_liveness_is_only_the_scheduler() -> None:
    """Slack down keeps the bot live (a restart would not help); a dead scheduler does not."""
    assert assess(replace(HEALTHY, slack_connected=False))[1]["live"]
    assert not assess(replace(HEALTHY, scheduler_alive=False))[1]["live"]


def _report(*errors: TaskError) -> Report:
    return Report(checked_at=datetime(2026, 11, 26, tzinfo=UTC), errors=errors)


def test_sweep_outcome_failed_only_when_no_target_was_listed() -> None:
    """Every target unlisted is ``failed``; one task error is ``partial``; none is ``ok``."""
    down = TaskError(target="a", task_id=None, error="cannot reach DMS", kind="Unavailable")
    other = TaskError(target="b", task_id=None, error="cannot reach DMS", kind="Unavailable")
    task = TaskError(target="a", task_id="orders", error="AccessDenied", kind="AccessDeniedFault")
    assert sweep_outcome(_report(down, other), targets=2) == "failed"
    assert sweep_outcome(_report(down), targets=2) == "partial"
    assert sweep_outcome(_report(task), targets=1) == "partial"
    assert sweep_outcome(_report(), targets=1) == "ok"


def test_tracker_and_probe_feed_assess_from_the_running_bot() -> None:
    """The probe reads the tracker's clock, Slack state, outbox stats and the scheduler thread."""
    now = [1000.0]
    tracker = SweepTracker(monotonic=lambda: now[0])
    stopping = threading.Event()

    def broken_store() -> tuple[int, float | None]:
        raise RuntimeError("database is locked")

    probe = HealthProbe(
        tracker=tracker,
        check_every=60,
        scheduler_alive=lambda: True,
        slack_state=lambda: (True, "ok"),
        outbox_stats=lambda: (2, 30.0),
        shutting_down=stopping,
    )
    tracker.started()
    now[0] += 5
    inputs = probe.inputs()
    assert inputs.sweep_running_for == 5 and inputs.last_success_age is None and inputs.uptime == 5
    tracker.finished("ok", success=True)
    now[0] += 10
    ready, details = probe()
    assert ready and details["checks"]["sweep"]["last_success_age_seconds"] == 10
    assert details["checks"]["outbox"]["depth"] == 2
    tracker.finished("failed", success=False)
    assert probe.inputs().last_outcome == "failed" and probe.inputs().sweeps == 2
    stopping.set()
    assert not probe()[0]
    probe.outbox_stats = broken_store
    assert probe.inputs().outbox_depth is None


def test_a_standby_is_ready_without_sweeping_or_delivering_and_says_so() -> None:
    """Several replicas: the sweep and outbox age rules are the leader's; a standby reports 200."""
    standby = replace(
        HEALTHY, leader=False, last_success_age=None, uptime=86400, outbox_depth=4, outbox_oldest_age=3600
    )
    ready, details = assess(standby)
    assert ready and details["role"] == "standby" and details["problems"] == []
    assert not details["checks"]["sweep"]["applies"] and not details["checks"]["outbox"]["applies"]
    assert assess(HEALTHY)[1]["role"] == "leader"


def test_a_standby_that_cannot_read_the_store_is_not_ready() -> None:
    ready, details = assess(replace(HEALTHY, leader=False, outbox_depth=None))
    assert not ready and details["problems"] == ["the store could not be read"]


def test_a_new_leader_gets_the_start_up_allowance_from_when_it_took_over() -> None:
    """Up for a day as a standby, leader for 10 minutes, no sweep of its own yet: ready; after the
    allowance without a sweep: not."""
    promoted = replace(HEALTHY, uptime=86400, last_success_age=None, leader_for=600)
    assert assess(promoted)[0]
    ready, details = assess(replace(promoted, leader_for=1861))
    assert not ready and "since start-up without a successful sweep" in details["problems"][0]


def test_the_probe_asks_the_replica_its_role() -> None:
    probe = HealthProbe(
        tracker=SweepTracker(monotonic=lambda: 5000.0),
        check_every=60,
        scheduler_alive=lambda: True,
        slack_state=lambda: (True, "ok"),
        outbox_stats=lambda: (0, None),
        shutting_down=threading.Event(),
        role=lambda: (False, None),
    )
    assert probe.inputs().leader is False and probe()[1]["role"] == "standby"
