"""Reading DMS's failures table on real PostgreSQL and MariaDB servers: newest first, filtered by
task (decoys never leak), counts of every match, hostile values intact, one-query summaries."""

from __future__ import annotations

import sqlalchemy as sa

from bot.core.failures import TableFailures
from tests.support.failures_data import DECOY, HOSTILE_KEY, TASK, UG_DETAILS
from tests.support.target_fixtures import FilledTarget
from tests.unit.targets.conftest import MakeReader


def test_page_is_the_task_newest_first_with_counts_of_every_matching_row(make_reader: MakeReader) -> None:
    page = make_reader().page(TASK, limit=5)
    assert page.total == 15
    assert page.by_type == {"MISSING_SOURCE": 2, "MISSING_TARGET": 3, "RECORD_DIFF": 9, "TABLE_WARNING": 1}
    assert [r.failure_time.minute for r in page.rows if r.failure_time] == [17, 16, 15, 14, 13]
    assert {r.schema for r in page.rows} <= {"sales", "crm"}


def test_decoy_task_rows_never_appear(make_reader: MakeReader, target: FilledTarget) -> None:
    reader = make_reader()
    assert all(r.key != ("0",) for r in reader.page(TASK, limit=100).rows)
    assert reader.page(DECOY, limit=100).total == 5
    assert reader.page("NOSUCHTASK").total == 0 and reader.page("NOSUCHTASK").rows == ()


def test_table_and_type_filters_narrow_rows_and_counts(make_reader: MakeReader) -> None:
    page = make_reader().page(TASK, table=("sales", "orders"), failure_type="RECORD_DIFF", limit=3)
    assert page.total == 7 and page.by_type == {"RECORD_DIFF": 7}
    assert [r.key for r in page.rows] == [("1007",), ("1006",), ("1005",)]
    assert page.rows[0].details == UG_DETAILS
    assert make_reader().page(TASK, table=("sales", "nope")).total == 0


def test_hostile_keys_and_details_come_back_intact(make_reader: MakeReader, target: FilledTarget) -> None:
    """Mrkdwn, <!channel>, invalid JSON and the column's longest text: read as stored, never an error."""
    rows = {r.failure_time.minute: r for r in make_reader().page(TASK, limit=100).rows if r.failure_time}
    assert rows[14].key == ("<!channel>", "*bold* _it_ ~s~ `code` <http://evil.example|click>")
    assert rows[14].details == "<!here> *all* rows differ"
    long_key = next(r.key for r in target.rows if r.minute == 15)
    assert rows[15].key == long_key and len(long_key) >= 7800
    assert rows[16].key == "{not json" and rows[16].details == "{'also': not json"
    assert rows[13].key == ("7", "eu-west")
    assert HOSTILE_KEY  # (the fixture's raw value)


def test_offset_pages_through_every_row_once_newest_first(make_reader: MakeReader) -> None:
    reader = make_reader()
    pages = [reader.page(TASK, limit=4, offset=n * 4) for n in range(5)]
    seen = [(r.failure_time, r.name, r.key) for p in pages for r in p.rows]
    assert len(seen) == 15 == len(set(seen)) and all(p.total == 15 for p in pages)
    assert [m for m, *_ in seen] == sorted((m for m, *_ in seen), reverse=True)  # type: ignore[type-var]
    assert pages[4].rows == ()


def test_row_limit_caps_the_requested_limit(make_reader: MakeReader) -> None:
    page = make_reader(row_limit=2).page(TASK, limit=50)
    assert len(page.rows) == 2 and page.total == 15


def test_summary_counts_every_table_and_samples_five_newest_keys(make_reader: MakeReader) -> None:
    summary = make_reader().summary(TASK)
    assert set(summary.tables) == {"sales.orders", "sales.order_lines", "crm.contacts"}
    assert summary.total == 15
    orders = summary.for_table("sales", "orders")
    assert orders == TableFailures(
        10,
        {"MISSING_SOURCE": 1, "MISSING_TARGET": 2, "RECORD_DIFF": 7},
        (("3001",), ("2002",), ("2001",), ("1007",), ("1006",)),
    )
    assert summary.for_table("crm", "contacts") == TableFailures(1, {"TABLE_WARNING": 1}, ("{}",))


def test_the_bot_session_cannot_write(make_reader: MakeReader) -> None:
    """Read-only by the server's own rule, whatever statement would be sent."""
    reader = make_reader()
    with reader.engine.connect() as conn:
        try:
            conn.execute(sa.text("CREATE TABLE dms_bot_should_not_exist (a int)"))
        except sa.exc.DBAPIError as exc:
            assert "read-only" in str(exc).lower() or "read only" in str(exc).lower()
        else:
            raise AssertionError("a write went through")


def test_pool_holds_at_most_two_connections(make_reader: MakeReader) -> None:
    pool = make_reader().engine.pool
    assert isinstance(pool, sa.pool.QueuePool)
    assert pool.size() == 2 and pool._max_overflow == 0


def test_a_read_only_user_with_the_readme_grants_can_read(
    make_reader: MakeReader, target: FilledTarget
) -> None:
    assert make_reader(url=target.reader_url).page(TASK, limit=1).total == 15
