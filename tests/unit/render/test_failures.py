"""Failed rows in Slack: the ``/dms failures`` page, the thread reply for tables joining an incident
and the Failed rows button on alerts; words, paging, and inert output for hostile rows."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.failures import (
    FailurePage,
    FailureRow,
    RowFailures,
    TableFailures,
    TaskFailures,
    to_failure_row,
)
from bot.render.alert import alert_message
from bot.render.buttons import Action
from bot.render.failures import (
    counts_text,
    failures_message,
    kind_words,
    row_line,
    table_failures_reply,
)
from bot.render.kit import SlackMessage
from tests.support.failures_data import HOSTILE_KEY, UG_DETAILS
from tests.support.render.blockutil import all_text, buttons, header_text, value
from tests.support.render.hostile import HOSTILE
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, arn, failing, task
from tests.support.render.sample_alerts import alert

TASK = task("orders-cdc", n=1)
BY_TYPE = {"RECORD_DIFF": 9, "MISSING_TARGET": 3, "MISSING_SOURCE": 2, "TABLE_WARNING": 1}


def row(minute: int = 0, **raw: object) -> FailureRow:
    """A row as the database would return it (raw columns), parsed by the core."""
    columns: dict[str, object] = {
        "schema": "sales",
        "table": "orders",
        "failure_type": "RECORD_DIFF",
        "key": '{"key": ["1007"]}',
        "failure_time": NOW - timedelta(minutes=minute),
        "details": UG_DETAILS,
    }
    return to_failure_row(**{**columns, **raw})


def page(*rows: FailureRow, total: int | None = None, by_type: dict[str, int] | None = None) -> FailurePage:
    return FailurePage(total=len(rows) if total is None else total, by_type=by_type or {}, rows=rows)


def render(
    p: FailurePage, *, number: int = 0, per_page: int = 10, table: tuple[str, str] | None = None
) -> SlackMessage:
    return failures_message(
        TASK,
        endpoint="orders-aurora",
        engine="aurora-postgresql",
        page=p,
        number=number,
        per_page=per_page,
        table=table,
    )


@pytest.mark.parametrize(
    ("failure_type", "words"),
    [
        ("RECORD_DIFF", "values differ"),
        ("MISSING_SOURCE", "only on the target"),
        ("MISSING_TARGET", "missing on the target"),
        ("TABLE_WARNING", "table warning"),
        ("<!channel> NEW_KIND", "&lt;!channel&gt; NEW_KIND"),
    ],
)
def test_failure_types_read_as_words_and_unknown_ones_are_escaped(failure_type: str, words: str) -> None:
    assert kind_words(failure_type) == words


def test_counts_are_largest_first_with_the_total() -> None:
    assert counts_text(15, BY_TYPE) == (
        "15 failed rows: 9 values differ, 3 missing on the target, 2 only on the target, 1 table warning"
    )
    assert counts_text(1, {"MISSING_TARGET": 1}) == "1 failed row: 1 missing on the target"
    assert counts_text(0, {}) == "no failed rows"


def test_the_page_names_task_endpoint_engine_counts_and_one_line_per_row_newest_first() -> None:
    p = page(row(0), row(5, key='{"key": ["7", "eu-west"]}', table="order_lines"), total=15, by_type=BY_TYPE)
    msg = render(p)
    assert_safe(msg)
    text = all_text(msg)
    assert header_text(msg) == "DMS failed rows"
    assert "orders-cdc" in text and "target endpoint *orders-aurora* (aurora-postgresql)" in text
    assert "*15 failed rows: 9 values differ, 3 missing on the target, 2 only on the target" in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert lines[0].startswith(f"• <!date^{int(NOW.timestamp())}^")
    assert "· *sales.orders* · values differ · key 1007 — [[{'MYREAL'" in lines[0]
    assert "*sales.order_lines* · values differ · key 7, eu-west" in lines[1]
    assert msg.text == f"orders-cdc: {counts_text(15, BY_TYPE)}"


def test_paging_buttons_carry_task_page_and_table_and_share_reruns_the_command() -> None:
    rows = [row(m) for m in range(10)]
    first = render(page(*rows, total=25), number=0, per_page=10, table=("sales", "orders"))
    assert "page 1 of 3" in all_text(first)
    assert list(buttons(first)) == ["Next", "Share in channel"]
    assert value(first, "Next") == {"task": arn(1), "page": 1, "table": "sales.orders"}
    assert buttons(first)["Next"]["action_id"] == Action.FAILURES_PAGE
    assert value(first, "Share in channel") == {"command": "failures orders-cdc sales.orders"}
    middle = render(page(*rows, total=25), number=1, per_page=10)
    assert list(buttons(middle)) == ["Previous", "Next", "Share in channel"]
    assert value(middle, "Previous") == {"task": arn(1), "page": 0}
    last = render(page(*rows[:5], total=25), number=2, per_page=10)
    assert list(buttons(last)) == ["Previous", "Share in channel"]
    assert "page 3 of 3" in all_text(last)


def test_no_rows_says_so_and_a_page_past_the_end_says_why() -> None:
    empty = render(page())
    assert_safe(empty)
    assert "no failed rows" in all_text(empty) and "holds no failed rows" in all_text(empty)
    assert list(buttons(empty)) == ["Share in channel"]
    gone = render(page(total=3), number=4, per_page=10)
    assert "No rows on this page any more" in all_text(gone)


def hostile_rows() -> list[FailureRow]:
    rows = [
        row(0, key=HOSTILE_KEY, details="<!here> *all* rows differ"),
        row(1, key="9" * 10_000, details="x" * 10_000, failure_type="MISSING_TARGET"),
        row(2, key="{not json", details="{'also': not json", failure_type="MISSING_SOURCE"),
    ]
    rows += [
        row(3 + i, schema=h, table=h, key=json.dumps({"key": [h]}), details=h, failure_type=h)
        for i, h in enumerate(HOSTILE)
    ]
    return rows


def test_hostile_keys_details_and_names_are_inert_and_the_message_fits() -> None:
    rows = hostile_rows()
    msg = render(page(*rows, total=len(rows), by_type={"<!channel>": 2, "RECORD_DIFF": 1}))
    assert_safe(msg)
    text = all_text(msg)
    assert "key &lt;!channel&gt;, *bold* _it_ ~s~ `code` &lt;http://evil.example|click&gt;" in text
    assert "key {not json — {'also': not json" in text
    assert "9" * 300 not in text and "x" * 400 not in text  # clipped
    assert "&lt;!channel&gt;" in msg.text or "values differ" in msg.text


def test_many_long_rows_stay_within_limits_with_a_more_line() -> None:
    rows = [row(m, key="k" * 5000, details="d" * 5000) for m in range(200)]
    msg = render(page(*rows, total=500), per_page=200)
    assert_safe(msg)
    assert "more row" in all_text(msg)


def test_hostile_endpoint_engine_and_table_filter_are_escaped() -> None:
    for h in HOSTILE:
        msg = failures_message(
            TASK, endpoint=h, engine=h, page=page(row()), table=(h or "s", h or "t"), per_page=10
        )
        assert_safe(msg)


def summary(**tables: TableFailures) -> RowFailures:
    return RowFailures(summary=TaskFailures({name.replace("__", "."): t for name, t in tables.items()}))


def test_the_thread_reply_gives_counts_by_kind_and_up_to_five_newest_keys_per_table() -> None:
    keys = tuple(("k" + str(i),) for i in range(7))
    failures = summary(
        sales__orders=TableFailures(12, {"RECORD_DIFF": 9, "MISSING_TARGET": 3}, keys),
        sales__lines=TableFailures(1, {"MISSING_SOURCE": 1}, ("{not json",)),
    )
    msg = table_failures_reply(
        "orders-cdc", failures, [("sales", "orders"), ("sales", "lines"), ("crm", "x")]
    )
    assert_safe(msg)
    text = all_text(msg)
    assert "• *sales.orders*: 12 failed rows: 9 values differ, 3 missing on the target" in text
    assert "newest keys k0, k1, k2, k3, k4" in text and "k5" not in text
    assert "• *sales.lines*: 1 failed row: 1 only on the target · key {not json" in text
    assert "• *crm.x*: no failed rows recorded yet" in text
    assert msg.text == "orders-cdc: failed rows of 3 tables"


def test_the_thread_reply_says_when_the_database_could_not_be_read_and_why() -> None:
    failures = RowFailures(error="password authentication failed for user dms_reader <!channel>")
    msg = table_failures_reply("orders-cdc", failures, [("sales", "orders")])
    assert_safe(msg)
    assert "could not be read for failed rows: password authentication failed" in all_text(msg)
    assert "&lt;!channel&gt;" in all_text(msg)


def test_the_thread_reply_for_hostile_tables_and_keys_is_inert_and_fits() -> None:
    tables = {
        f"{h}.{i}": TableFailures(3, {h: 2, "RECORD_DIFF": 1}, (h, (h, h))) for i, h in enumerate(HOSTILE)
    }
    tables |= {f"s.t{i}": TableFailures(1, {}, ("x" * 10_000,)) for i in range(300)}
    failures = RowFailures(summary=TaskFailures(tables))
    named = [tuple(name.split(".", 1)) for name in tables]
    msg = table_failures_reply("<!channel>", failures, named)  # type: ignore[arg-type]
    assert_safe(msg)
    assert "more table" in all_text(msg)


def test_the_alert_has_a_failed_rows_button_only_when_a_database_is_configured() -> None:
    seen = failing("orders-cdc", 1)
    without = alert_message(alert(), seen, now=NOW)
    assert "Failed rows" not in buttons(without)
    for failures in (RowFailures(summary=TaskFailures()), RowFailures(error="database down")):
        msg = alert_message(alert(), replace(seen, row_failures=failures), now=NOW)
        assert_safe(msg)
        assert list(buttons(msg))[-1] == "Failed rows"
        assert buttons(msg)["Failed rows"]["action_id"] == Action.FAILED_ROWS
        assert value(msg, "Failed rows") == {"task": arn(1)}


def test_row_line_without_a_time_says_so() -> None:
    line = row_line(row(failure_time=None))
    assert line.startswith("• time unknown · *sales.orders*")


def test_a_table_filter_that_is_not_plain_gets_no_buttons_that_would_echo_it() -> None:
    msg = render(page(*[row(m) for m in range(10)], total=30), table=("sales", "<!channel>"))
    assert_safe(msg)
    assert buttons(msg) == {}
    assert "table *sales.&lt;!channel&gt;*" in all_text(msg)


def test_a_v2_rows_resync_result_is_shown_in_slack_and_the_terminal() -> None:
    from bot.render.failures_text import render_failures

    fixed = to_failure_row(
        schema="s",
        table="t",
        failure_type="RECORD_DIFF",
        key='{"key": ["1"]}',
        failure_time=None,
        details="d",
        resync_result="SUCCESS",
    )
    failed = replace(fixed, resync_result="FAILURE")
    assert " · values differ · _fixed by resync_ · key 1" in row_line(fixed)
    assert "_resync failed_" in row_line(failed) and "resync" not in row_line(
        replace(fixed, resync_result=None)
    )
    task = __import__("bot.core.models", fromlist=["Task"]).Task(
        "orders-cdc", "arn:aws:dms:eu-west-1:1:task:X", "running"
    )
    text = render_failures(
        task, endpoint="e", engine="postgres", page=FailurePage(2, {"RECORD_DIFF": 2}, (fixed, failed))
    )
    assert "[fixed by resync] d" in text and "[resync failed] d" in text
