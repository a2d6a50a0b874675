"""Faults on real servers: each is one TargetDbError line of the right kind, never a password."""

from __future__ import annotations

import socket
import time

import pytest

from bot.errors import TargetDbError
from tests.support.failures_data import TASK
from tests.support.target_fixtures import READER_PASSWORD, FilledTarget
from tests.unit.targets.conftest import MakeReader

WRONG = "Wr0ng-pa55word-XYZ"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def failure(reader_call: object) -> TargetDbError:
    with pytest.raises(TargetDbError) as caught:
        reader_call()  # type: ignore[operator]
    return caught.value


def test_wrong_password_or_unknown_user_is_an_auth_error_without_the_password(
    make_reader: MakeReader, target: FilledTarget
) -> None:
    url = target.reader_url.set(password=WRONG)
    if target.url.get_backend_name() == "postgresql":  # trust auth: only an unknown role is refused
        url = url.set(username="no_such_reader")
    error = failure(lambda: make_reader(url=url).page(TASK))
    assert error.kind == "auth", error
    assert "refused the login of user" in str(error) and "endpoint orders-target" in str(error)
    assert WRONG not in str(error) and READER_PASSWORD not in str(error)
    print(error)


def test_database_down_is_unreachable(make_reader: MakeReader, target: FilledTarget) -> None:
    url = target.reader_url.set(port=closed_port())
    error = failure(lambda: make_reader(url=url).page(TASK))
    assert error.kind == "unreachable"
    assert "cannot connect (connection refused" in str(error) and READER_PASSWORD not in str(error)
    print(error)


def test_missing_control_table_says_where_it_looked(make_reader: MakeReader) -> None:
    error = failure(lambda: make_reader(control_schema="no_such_schema").summary(TASK))
    assert error.kind == "missing_table"
    assert "no awsdms_validation_failures_v1 in schema no_such_schema: is validation enabled" in str(error)
    print(error)


def test_slow_query_stops_at_the_statement_timeout(make_reader: MakeReader, target: FilledTarget) -> None:
    """A view that sleeps (pg_sleep / SLEEP()) is cut by the server at the timeout, not waited out."""
    reader = make_reader(control_schema=target.slow_schema, statement_timeout=0.5)
    started = time.monotonic()
    error = failure(lambda: reader.page(TASK))
    assert time.monotonic() - started < 4
    assert error.kind == "timeout", error
    assert "ran past the 0.5s statement timeout" in str(error)
    print(error)


def test_the_pool_still_works_after_a_timeout(make_reader: MakeReader, target: FilledTarget) -> None:
    reader = make_reader(statement_timeout=0.5)
    assert reader.page(TASK).total == 15
    slow = make_reader(control_schema=target.slow_schema, statement_timeout=0.5)
    failure(lambda: slow.page(TASK))
    assert reader.page(TASK).total == 15
