"""doctor's store line: backend and masked location, reachable and writable, the schema's state
(current, or what ``serve`` will migrate); nothing is migrated by the check itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.doctor import Status
from bot.doctor.store import check_leadership, check_store
from bot.store.leases import PostgresLease
from bot.store.legacy_schema import MIGRATIONS, migrate
from bot.store.location import locate
from bot.store.migrations import head
from bot.store.sql import SqlStore
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.unit.store.peek import count

PASSWORD = "doctor-pa55"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of the test's own, its URL carrying a password (trust authentication ignores it)."""
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql", password=PASSWORD).render_as_string(hide_password=False)


def test_a_new_sqlite_file_will_be_created_by_serve(tmp_path: Path) -> None:
    check = check_store(str(tmp_path / "bot.sqlite3"))
    assert check.status is Status.OK, check
    assert f"sqlite {tmp_path / 'bot.sqlite3'} writable (no schema yet; migrated to {head()}" in check.detail
    assert count(str(tmp_path / "bot.sqlite3"), "alembic_version") is None  # doctor migrates nothing


def test_a_current_sqlite_file_is_written_and_its_outbox_counted(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    SqlStore(db).close()
    check = check_store(str(db))
    assert (check.status, check.detail) == (
        Status.OK,
        f"sqlite {db} writable (schema {head()}, current; outbox empty)",
    )


def test_a_file_from_before_alembic_says_it_will_be_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, path=str(db), steps=MIGRATIONS[:4])
    conn.close()
    check = check_store(str(db))
    assert (
        check.status is Status.OK
        and "schema v4 from before Alembic (upgraded in place, data kept" in check.detail
    )


def test_a_database_from_a_newer_dms_bot_fails(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 7")
    check = check_store(str(db))
    assert check.status is Status.FAIL and "newer version of dms-bot" in check.detail


def test_postgresql_is_named_with_its_password_masked(postgres_url: str) -> None:
    before = check_store(postgres_url)
    assert before.status is Status.OK and "no schema yet" in before.detail
    SqlStore(postgres_url).close()
    check = check_store(postgres_url)
    shown = make_url(postgres_url).render_as_string(hide_password=True)
    assert (check.status, check.detail) == (
        Status.OK,
        f"postgresql {shown} writable (schema {head()}, current; outbox empty)",
    )
    assert PASSWORD not in before.detail + check.detail


def test_an_unreachable_postgresql_fails_in_one_line_without_the_password() -> None:
    check = check_store(f"postgresql://bot:{PASSWORD}@127.0.0.1:9/dms")
    assert check.status is Status.FAIL and "Cannot reach the bot's database" in check.detail
    assert PASSWORD not in check.detail and "postgresql://bot:***@127.0.0.1:9/dms" in check.detail


def test_leadership_is_not_a_question_on_sqlite(tmp_path: Path) -> None:
    assert check_leadership(str(tmp_path / "bot.sqlite3")) == []


def test_leadership_names_the_leader_its_epoch_and_the_lease_age_on_postgresql(postgres_url: str) -> None:
    SqlStore(postgres_url).close()
    [nobody] = check_leadership(postgres_url)
    assert (nobody.status, nobody.detail) == (Status.WARN, "no replica has led yet")
    lease = PostgresLease(locate(postgres_url), holder="pod-a:7", timeout=2)
    try:
        lease.claim(None, ttl=30)
        [led] = check_leadership(postgres_url)
        assert led.status is Status.OK and led.detail.startswith(
            "pod-a:7 leads (epoch 1, for 0s; renewed 0s ago"
        )
        lease.resign(1)
        [expired] = check_leadership(postgres_url)
        assert (
            expired.status is Status.WARN
            and "no leader: the lease of pod-a:7 (epoch 1) expired" in expired.detail
        )
        assert PASSWORD not in led.detail + expired.detail
    finally:
        lease.close()


def test_leadership_on_a_database_without_the_schema_is_skipped(postgres_url: str) -> None:
    [check] = check_leadership(postgres_url)
    assert (
        check.status is Status.SKIP and "could not be read" in check.detail and PASSWORD not in check.detail
    )
