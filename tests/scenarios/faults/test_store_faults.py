"""The bot's SQLite file in trouble: locked by another process, read-only, or on a full disk.

What the bot does, in every case: the sweep still runs against DMS; saving it fails with one log
line naming the file and what to do (no stack trace); the schedule goes on; nothing is sent that
could not be marked as sent (so nothing goes out twice); and once the store is writable again the
next sweep saves and alerts as if nothing had happened. ``/dms`` keeps answering from DMS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.settings import Secret, WebhookSettings
from bot.store.sql import SqlStore
from tests.scenarios.faults.conftest import MakeBot
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.inprocess import InProcessBot, answer_text, captured_logs, posts_about, small_fleet


def quick(path: Path) -> SqlStore:
    return SqlStore(path, busy_timeout=0.2)


def read_only(path: Path) -> SqlStore:
    return SqlStore(path, busy_timeout=0.2, readonly=True)


class FullDiskStore(SqlStore):
    """A store whose "disk" holds exactly the pages the file has now: any growth is SQLITE_FULL."""

    def _configure(self, conn: sqlite3.Connection) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(int(pages), 1)}")


def full_disk(path: Path) -> SqlStore:
    return FullDiskStore(path, busy_timeout=0.2)


@contextmanager
def locked(db: Path) -> Iterator[None]:
    """Another process holding the write lock (``BEGIN EXCLUSIVE``) for the duration."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def swap_store(bot: InProcessBot, factory: object) -> None:
    bot.store_factory = factory  # type: ignore[assignment]
    bot.restart()


def one_clear_line(logs: list, *words: str) -> None:
    errors = [r for r in logs if r.levelname == "ERROR"]
    assert errors, "the failure must be logged"
    assert all(r.exc_info is None for r in logs), "a storage problem is one line, not a stack trace"
    assert all(w in errors[0].getMessage() for w in words), errors[0].getMessage()


def test_a_locked_database_fails_that_sweep_in_one_line_and_the_next_one_alerts(make_bot: MakeBot) -> None:
    """Locked while a sweep finishes: one log line, nothing saved; the next sweep alerts once."""
    bot = make_bot(store_factory=quick)
    with locked(bot.db), captured_logs("bot") as logs:
        bot.sweep()
    one_clear_line(logs, "locked by another process", str(bot.db))
    assert bot.store.last_sweep() is None and posts_about(bot.slack, "billing-cdc") == []
    bot.sweep()
    assert bot.store.last_sweep() is not None
    assert len(posts_about(bot.slack, "billing-cdc")) == 1


def test_a_locked_database_while_delivering_sends_nothing_twice(make_bot: MakeBot) -> None:
    """Locked while alerts are queued: nothing is sent until it can be marked sent; then once."""
    bot = make_bot(store_factory=quick)
    bot.slack.fail_next("chat.postMessage", status=503, times=100)
    bot.sweep()
    assert bot.store.outbox_stats(bot.clock())[0] == 1
    bot.slack.clear_faults()
    with locked(bot.db), captured_logs("bot") as logs:
        for _ in range(3):
            bot.deliver(advance_seconds=3600)
    assert posts_about(bot.slack, "billing-cdc") == []
    one_clear_line(logs, "locked")
    bot.deliver(advance_seconds=3600)
    bot.sweep()
    assert len(posts_about(bot.slack, "billing-cdc")) == 1


def test_a_read_only_database_keeps_the_bot_answering(make_bot: MakeBot) -> None:
    """Read-only file: one line per sweep, /dms still answers; once writable, the alert goes once."""
    bot = make_bot()
    bot.close()
    bot.store_factory = read_only
    bot.open()
    with captured_logs("bot") as logs:
        bot.sweep()
    one_clear_line(logs, "read-only", "writable")
    answer = bot.command("status billing-cdc")
    assert "Mismatched records" in answer_text(answer)
    swap_store(bot, quick)
    bot.sweep()
    assert len(posts_about(bot.slack, "billing-cdc")) == 1


def test_a_full_disk_fails_the_sweep_cleanly_and_recovers(make_bot: MakeBot, receiver: HttpReceiver) -> None:
    """Full disk: one "is full" line, nothing half-saved or posted; with space, alerts once."""
    bad = {
        "generate": [
            {
                "count": 60,
                "schema": "billing",
                "prefix": "ledger_",
                "validation_state": "Mismatched records",
                "failed_records": 1,
            }
        ]
    }
    bot = make_bot(
        scenario=small_fleet(**{"billing-cdc": bad}), webhook=WebhookSettings(url=Secret(receiver.url))
    )
    swap_store(bot, full_disk)
    with captured_logs("bot") as logs:
        bot.sweep()
    one_clear_line(logs, "is full")
    assert bot.store.last_sweep() is None and posts_about(bot.slack, "billing-cdc") == []
    swap_store(bot, quick)
    bot.sweep()
    assert bot.store.last_sweep() is not None
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    assert len(receiver.requests()) == 1
