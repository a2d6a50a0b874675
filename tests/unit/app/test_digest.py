"""The daily digest: due once per local day at digest_at, per channel, never twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.app.digest import CLAIMS_KEPT, Digest, digest_due, prune, queue_digest
from bot.core.alerts import TaskAlert
from bot.core.evaluate import evaluate
from bot.core.models import Report, TableStats, Task
from bot.settings import ScheduleSettings, Settings, SlackSettings, StoreSettings, Target
from bot.store.sql import SqlStore

PARIS = ScheduleSettings(digest_at=time(9, 0), timezone="Europe/Paris")


def settings(**kw: object) -> Settings:
    return replace(
        Settings(
            targets=(Target(name="eu", channel="C0EU000001"), Target(name="us")),
            slack=SlackSettings(channel="C0DEFAULT1"),
            schedule=PARIS,
        ),
        **kw,  # type: ignore[arg-type]
    )


def test_due_after_digest_at_local_time_once_a_day() -> None:
    """09:00 Paris is 08:00 UTC in winter: not before, yes after, not again the same day."""
    s = settings()
    assert digest_due(datetime(2026, 11, 26, 7, 59, tzinfo=UTC), s, None) is None
    assert digest_due(datetime(2026, 11, 26, 8, 0, tzinfo=UTC), s, None) == "2026-11-26"
    assert digest_due(datetime(2026, 11, 26, 20, 0, tzinfo=UTC), s, "2026-11-26") is None
    assert digest_due(datetime(2026, 11, 27, 8, 1, tzinfo=UTC), s, "2026-11-26") == "2026-11-27"


def test_no_digest_without_digest_at() -> None:
    """Digest is opt-in."""
    s = settings(schedule=ScheduleSettings())
    assert digest_due(datetime(2026, 11, 26, 12, tzinfo=UTC), s, None) is None


def test_digest_queued_once_per_channel(tmp_path: Path) -> None:
    """Each channel gets its own targets' digest, once, even if the job runs again (or after a restart)."""
    store = SqlStore(tmp_path / "d.sqlite3")
    task = Task("orders-cdc", "arn:aws:dms:eu-west-1:123456789012:task:A", "running", "cdc")
    bad = TableStats("s", "t", "Table completed", "Mismatched records", failed_records=3)
    now = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    store.record_sweep(Report(checked_at=now, tasks=(evaluate(task, [bad], now=now, target="eu"),)))
    store.save_alert(
        TaskAlert(
            task_arn=task.arn,
            target="eu",
            task_id="orders-cdc",
            open=True,
            incident=1,
            opened_at=now,
            acked_by="U0OWNER",
        )
    )
    assert queue_digest(store, settings(), lambda: now)
    assert not queue_digest(store, settings(), lambda: now + timedelta(minutes=1))
    store.close()
    reopened = SqlStore(tmp_path / "d.sqlite3")
    assert not queue_digest(reopened, settings(), lambda: now + timedelta(minutes=2))
    items = reopened.due_items(now=now + timedelta(hours=1))
    assert sorted(i.payload["channel"] for i in items) == ["C0DEFAULT1", "C0EU000001"]
    eu = next(i for i in items if i.payload["channel"] == "C0EU000001")
    assert "orders-cdc" in str(eu.payload["blocks"]) and "<@U0OWNER>" in str(eu.payload["blocks"])
    us = next(i for i in items if i.payload["channel"] == "C0DEFAULT1")
    assert "orders-cdc" not in str(us.payload["blocks"])


def test_prune_applies_retention(tmp_path: Path) -> None:
    """Sweeps older than the retention are removed."""
    store = SqlStore(tmp_path / "p.sqlite3")
    old = datetime(2026, 10, 1, tzinfo=UTC)
    store.record_sweep(Report(checked_at=old))
    store.record_sweep(Report(checked_at=datetime(2026, 11, 25, tzinfo=UTC)))
    s = settings(store=StoreSettings(retention_days=30))
    assert prune(store, s, lambda: datetime(2026, 11, 26, tzinfo=UTC)) >= 1
    last = store.last_sweep()
    assert last is not None and last.checked_at.day == 25


def test_the_hourly_prune_forgets_claims_older_than_a_day(tmp_path: Path) -> None:
    """Slack event ids claimed more than a day ago are forgotten; newer ones stay claimed."""
    store = SqlStore(tmp_path / "c.sqlite3")
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    store.claim("event:Ev0LD", at=now - CLAIMS_KEPT - timedelta(seconds=1))
    store.claim("event:EvNEW", at=now - timedelta(minutes=5))
    assert Digest(store=store, settings=settings(), clock=lambda: now).prune() == 1
    assert store.claim("event:Ev0LD", at=now) is True
    assert store.claim("event:EvNEW", at=now) is False
