"""The shared rule for real database servers: skip on a laptop, fail with one line under CI=true."""

from __future__ import annotations

import socket

import pytest

from tests.support import databases


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


@pytest.mark.parametrize(
    ("in_ci", "outcome"), [(False, pytest.skip.Exception), (True, pytest.fail.Exception)]
)
def test_a_server_that_does_not_answer_skips_or_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, in_ci: bool, outcome: type[BaseException]
) -> None:
    monkeypatch.setitem(databases.SERVER_URLS, databases.POSTGRES_ENV, closed_url())
    monkeypatch.setattr(databases, "IN_CI", in_ci)
    with pytest.raises(outcome) as caught:
        databases.require_server(databases.POSTGRES_ENV)
    message = str(caught.value)
    assert "no database server answers at postgresql+psycopg://postgres@127.0.0.1:" in message
    assert "DMS_BOT_TEST_POSTGRES_URL" in message and "\n" not in message
    assert ("CI=true" in message) is in_ci
