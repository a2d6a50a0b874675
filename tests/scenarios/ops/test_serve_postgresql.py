"""``serve`` with ``DMS_BOT_DB`` a postgresql:// URL: it migrates a fresh database at start-up,
alerts as on SQLite (the incident and its messages are in PostgreSQL), takes no file lock, and
never writes the URL's password to its log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sim import SimServer
from bot.store.migrations import head
from bot.store.sql import SqlStore
from tests.scenarios.ops.conftest import StartServe
from tests.support.databases import POSTGRES_ENV, scratch_database
from tests.support.fakes.slack_api import FakeSlackApi

pytestmark = pytest.mark.slow
PASSWORD = "serve-pa55"


@pytest.fixture
def database_url() -> Iterator[str]:
    with scratch_database(POSTGRES_ENV) as url:
        yield url.set(drivername="postgresql", password=PASSWORD).render_as_string(hide_password=False)


def test_serve_on_postgresql_migrates_alerts_and_keeps_the_password_out_of_its_log(
    start_bot: StartServe, demo_sim: SimServer, slack: FakeSlackApi, database_url: str, tmp_path: Path
) -> None:
    bot = start_bot(demo_sim, slack, env={"DMS_BOT_DB": database_url})
    slack.wait_for("chat.postMessage", count=3, timeout=30)
    with SqlStore(database_url) as store:
        assert store.revision == head() and store.last_sweep() is not None
        assert len(store.list_alerts(open_only=True)) == 3  # billing-cdc, crm-cdc, payments-serverless
    log = bot.log()
    assert bot.stop() == 0
    assert f"schema migrated from nothing to {head()}" in log and "postgres:***@" in log
    assert PASSWORD not in log
    assert not list(tmp_path.glob("*.lock"))  # the SQLite file lock is not taken for PostgreSQL
