"""Alert state, snoozes, the audit log, stuck-validation progress and meta: every field round-trips."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import timedelta, timezone

import pytest

from bot.core.alerts import TaskAlert
from bot.store.base import PendingProgress
from bot.store.sql import SqlStore
from tests.unit.store.conftest import at

ARN = "arn:aws:dms:eu-west-1:123456789012:task:a"


def full_alert(arn: str = ARN, **changes: object) -> TaskAlert:
    """An alert with every field set to a non-default value."""
    alert = TaskAlert(
        task_arn=arn,
        target="prod",
        task_id=arn.rsplit(":", 1)[-1],
        open=True,
        incident=3,
        kind="failure",
        summary="2 tables failed — ünïcode",
        problem_tables=("s.orders", "s.items"),
        opened_at=at(0),
        resolved_at=at(5),
        last_seen_at=at(10),
        last_reminded_at=at(20),
        error_streak=2,
        announced=True,
        channel="C123",
        message_ts="1700000000.000100",
        acked_by="U42",
        acked_at=at(30),
    )
    return replace(alert, **changes)  # type: ignore[arg-type]


def test_alert_round_trips_every_field(store: SqlStore) -> None:
    """get_alert returns exactly what save_alert stored, datetimes tz-aware UTC."""
    alert = full_alert()
    defaults = TaskAlert(task_arn="", target="", task_id="")
    assert all(getattr(alert, f.name) != getattr(defaults, f.name) for f in fields(alert))
    store.save_alert(alert)
    got = store.get_alert(ARN)
    assert got == alert
    assert got is not None and got.opened_at is not None and got.opened_at.utcoffset() == timedelta(0)


def test_alert_defaults_round_trip(store: SqlStore) -> None:
    """An alert with every optional field empty comes back the same (None stays None, () stays ())."""
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="a")
    store.save_alert(alert)
    assert store.get_alert(ARN) == alert


def test_alert_datetimes_in_other_zones_come_back_as_the_same_instant_in_utc(store: SqlStore) -> None:
    """A +02:00 datetime is stored as UTC and compares equal after the round-trip."""
    cest = timezone(timedelta(hours=2))
    alert = full_alert(opened_at=at(0).astimezone(cest))
    store.save_alert(alert)
    got = store.get_alert(ARN)
    assert got is not None and got.opened_at == at(0) and got.opened_at.tzinfo is not None
    assert got.opened_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: SqlStore) -> None:
    """A naive datetime is a bug in the caller, caught before it is stored ambiguously."""
    with pytest.raises(ValueError, match="timezone-aware"):
        store.save_alert(full_alert(opened_at=at(0).replace(tzinfo=None)))


def test_save_alert_replaces_the_tasks_one_record(store: SqlStore) -> None:
    """Saving again overwrites; there is one record per task."""
    store.save_alert(full_alert())
    store.save_alert(full_alert(open=False, problem_tables=(), acked_by=None, acked_at=None))
    [only] = store.list_alerts()
    assert only == full_alert(open=False, problem_tables=(), acked_by=None, acked_at=None)


def test_list_alerts_open_only(store: SqlStore) -> None:
    """``open_only`` leaves out resolved incidents."""
    store.save_alert(full_alert(ARN + "1", open=True))
    store.save_alert(full_alert(ARN + "2", open=False))
    assert [a.task_arn for a in store.list_alerts()] == [ARN + "1", ARN + "2"]
    assert [a.task_arn for a in store.list_alerts(open_only=True)] == [ARN + "1"]
    assert store.get_alert("arn:unknown") is None


def test_snoozes_set_replace_expire_and_clear(store: SqlStore) -> None:
    """A snooze is active until ``until``; setting again replaces it; clearing removes it."""
    store.set_snooze(ARN, until=at(60), by="U1", at=at(0))
    store.set_snooze("arn:b", until=at(30), by="U2", at=at(0))
    active = store.active_snoozes(at(10))
    assert set(active) == {ARN, "arn:b"}
    assert (active[ARN].until, active[ARN].by, active[ARN].at) == (at(60), "U1", at(0))
    assert set(store.active_snoozes(at(30))) == {ARN}  # expired at exactly ``until``
    store.set_snooze(ARN, until=at(240), by="U3", at=at(20))
    assert store.active_snoozes(at(100))[ARN].by == "U3"
    store.clear_snooze(ARN)
    assert store.active_snoozes(at(0)) == {"arn:b": active["arn:b"]}


def test_audit_entries_newest_first_with_limit(store: SqlStore) -> None:
    """Entries round-trip and come back most recent first, at most ``limit``."""
    for i in range(3):
        store.add_audit(
            at=at(i), user_id=f"U{i}", action="snooze", task_arn=None if i else ARN, detail=f"{i}h"
        )
    entries = store.audit_entries(limit=2)
    assert [(e.user_id, e.at, e.detail, e.task_arn) for e in entries] == [
        ("U2", at(2), "2h", None),
        ("U1", at(1), "1h", None),
    ]
    assert store.audit_entries()[-1].task_arn == ARN
    assert entries[0].id > entries[1].id


def test_pending_progress_is_replaced_per_task(store: SqlStore) -> None:
    """Saving a task's progress replaces its whole set and leaves other tasks alone."""
    first = {"s.a": PendingProgress("s.a", 100, at(0)), "s.b": PendingProgress("s.b", 5, at(1))}
    store.save_pending_progress(ARN, first)
    store.save_pending_progress("arn:other", {"s.z": PendingProgress("s.z", 1, at(2))})
    assert store.pending_progress(ARN) == first
    store.save_pending_progress(ARN, {"s.a": PendingProgress("s.a", 90, at(15))})
    assert store.pending_progress(ARN) == {"s.a": PendingProgress("s.a", 90, at(15))}
    assert list(store.pending_progress("arn:other")) == ["s.z"]
    store.save_pending_progress(ARN, {})
    assert store.pending_progress(ARN) == {}


def test_meta_get_and_set(store: SqlStore) -> None:
    """Unknown keys are None; set overwrites."""
    assert store.get_meta("last_digest") is None
    store.set_meta("last_digest", "2026-11-26")
    store.set_meta("last_digest", "2026-11-27")
    assert store.get_meta("last_digest") == "2026-11-27"
