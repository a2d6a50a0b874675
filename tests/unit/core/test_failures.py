"""Row-level failures: lenient KEY/DETAILS parsing, readable words, summaries, the JSON row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.failures import (
    FailureRow,
    TableFailures,
    failure_words,
    key_text,
    parse_details,
    parse_key,
    summarise,
    to_failure_row,
    to_json,
)
from bot.core.parse import to_endpoint, to_task

WHEN = datetime(2026, 11, 26, 9, 0, 0, 123000)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ('{"key": ["3451491"]}', ("3451491",)),
        ('{"key":  ["7", "eu", "2026-01-01"]}', ("7", "eu", "2026-01-01")),
        ('{"key": [42, null, 1.5]}', ("42", "", "1.5")),
        ('{"key": []}', '{"key": []}'),
        ('{"key": [["nested"]]}', '{"key": [["nested"]]}'),
        ('{"other": ["1"]}', '{"other": ["1"]}'),
        ("[1, 2]", "[1, 2]"),
        ("3451491", "3451491"),
        ("{'key': ['1']}", "{'key': ['1']}"),
        ("", ""),
        (None, ""),
        ("[" * 100_000, "[" * 100_000),
    ],
)
def test_key_parses_to_its_values_or_stays_raw_text(raw: str | None, key: object) -> None:
    """KEY's JSON gives the key values; anything else is kept as the raw text, never an error."""
    assert parse_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "details"),
    [
        (
            "[[{'MYREAL': '+1.10106036e-01'}, {'MYREAL': '+1.10106044e-01'}],]",
            "[[{'MYREAL': '+1.10106036e-01'}, {'MYREAL': '+1.10106044e-01'}],]",
        ),
        ('[[{"A":1},{"A":2}]]', '[[{"A": 1}, {"A": 2}]]'),
        ("line one\n  line\ttwo", "line one line two"),
        ('"just a string"', '"just a string"'),
        (None, ""),
    ],
)
def test_details_stay_text_and_json_is_compacted(raw: str | None, details: str) -> None:
    """DETAILS is not reliably JSON: kept as one line of text; real JSON is re-serialised."""
    assert parse_details(raw) == details


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("RECORD_DIFF", "values differ"),
        ("MISSING_SOURCE", "only on the target"),
        ("MISSING_TARGET", "missing on the target"),
        ("TABLE_WARNING", "table warning"),
        ("LOB_TRUNCATED", "LOB_TRUNCATED"),
    ],
)
def test_failure_types_have_readable_words_and_unknown_ones_show_as_is(kind: str, words: str) -> None:
    assert failure_words(kind) == words


def test_a_database_row_becomes_a_failure_row_with_utc_time() -> None:
    """Naive FAILURE_TIME is UTC; NULL columns become empty values, never an exception."""
    row = to_failure_row(
        schema="sales",
        table="orders",
        failure_type="RECORD_DIFF",
        key='{"key": ["1", "2"]}',
        failure_time=WHEN,
        details="x",
    )
    assert row == FailureRow("sales", "orders", "RECORD_DIFF", ("1", "2"), WHEN.replace(tzinfo=UTC), "x")
    assert row.name == "sales.orders" and row.words == "values differ"
    empty = to_failure_row(
        schema=None, table=None, failure_type=None, key=None, failure_time="not a time", details=None
    )
    assert empty == FailureRow("", "", "UNKNOWN", "", None, "")


def test_bytes_and_lone_surrogates_are_made_printable_text() -> None:
    row = to_failure_row(
        schema=b"s\xff", table="t\ud800", failure_type="X", key=b"k", failure_time=None, details=""
    )
    assert row.schema == "s\ufffd" and row.table == "t?" and row.key == "k"


def test_json_row_lists_key_values_or_the_raw_text() -> None:
    parsed = to_failure_row(
        schema="s",
        table="t",
        failure_type="MISSING_TARGET",
        key='{"key": ["9"]}',
        failure_time=WHEN,
        details="",
    )
    raw = to_failure_row(
        schema="s", table="t", failure_type="MISSING_TARGET", key="not json", failure_time=None, details=""
    )
    assert to_json(parsed) == {
        "schema": "s",
        "table": "t",
        "failure_type": "MISSING_TARGET",
        "key": ["9"],
        "failure_time": "2026-11-26T09:00:00.123Z",
        "details": "",
        "resync_result": None,
    }
    assert to_json(raw)["key"] == "not json" and to_json(raw)["failure_time"] is None


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (None, None),
        ("", None),
        ("SUCCESS", "fixed by resync"),
        ("FAILURE", "resync failed"),
        ("Odd", "resync odd"),
    ],
)
def test_a_v2_rows_resync_result_reads_as_words(result: str | None, words: str | None) -> None:
    row = to_failure_row(
        schema="s",
        table="t",
        failure_type="RECORD_DIFF",
        key="1",
        failure_time=None,
        details="",
        resync_result=result,
    )
    assert row.resync == words
    assert to_json(row)["resync_result"] == (result or None)


def test_key_text_joins_composite_keys() -> None:
    assert key_text(("1", "eu")) == "1, eu"
    assert key_text("raw") == "raw"


def test_summary_counts_by_table_and_type_and_keeps_five_newest_keys() -> None:
    """Counts add up per table; samples keep the first five given (the query sends newest first)."""
    counts = [("s", "a", "RECORD_DIFF", 7), ("s", "a", "MISSING_TARGET", 2), ("s", "b", "TABLE_WARNING", 1)]
    samples = [("s", "a", (str(i),)) for i in range(8)] + [("s", "b", "raw")]
    summary = summarise(counts, samples)
    assert summary.total == 10
    assert summary.for_table("s", "a") == TableFailures(
        9, {"MISSING_TARGET": 2, "RECORD_DIFF": 7}, (("0",), ("1",), ("2",), ("3",), ("4",))
    )
    assert summary.for_table("s", "b") == TableFailures(1, {"TABLE_WARNING": 1}, ("raw",))
    assert summary.for_table("s", "zzz") is None


def test_task_parses_its_target_endpoint_arn() -> None:
    arn = "arn:aws:dms:eu-west-1:123456789012:endpoint:ABC"
    assert to_task({"ReplicationTaskArn": "x", "TargetEndpointArn": arn}).target_endpoint_arn == arn
    assert to_task({"ReplicationTaskArn": "x"}).target_endpoint_arn is None


def test_endpoint_takes_the_secret_id_from_its_engine_settings_block() -> None:
    raw = {
        "EndpointIdentifier": "orders-target",
        "EndpointArn": "arn:aws:dms:eu-west-1:123456789012:endpoint:ABC",
        "EngineName": "Aurora-PostgreSQL",
        "ServerName": "db.internal",
        "Port": 5432,
        "DatabaseName": "orders",
        "Username": "dms",
        "PostgreSQLSettings": {"SecretsManagerSecretId": "prod/orders"},
    }
    endpoint = to_endpoint(raw)
    assert (endpoint.identifier, endpoint.engine, endpoint.port, endpoint.secret_id) == (
        "orders-target",
        "aurora-postgresql",
        5432,
        "prod/orders",
    )
    odd = to_endpoint({"EndpointArn": "arn:aws:dms:r:1:endpoint:XYZ", "Port": "5432", "MySQLSettings": []})
    assert (odd.identifier, odd.engine, odd.port, odd.secret_id) == ("XYZ", "unknown", None, None)
