"""PostgreSQL trouble is one StoreError line naming the database by its masked URL, never the password."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy.engine import make_url

from bot.errors import StoreError
from bot.store.sql import SqlStore

PASSWORD = "s3cret-pa55"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    """Nobody listening: what to check, the URL with *** for the password."""
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1:{closed_port()}/dms"
    with pytest.raises(StoreError, match="Cannot reach the bot's database") as caught:
        SqlStore(url, busy_timeout=2)
    message = str(caught.value)
    assert PASSWORD not in message and "postgresql://bot:***@127.0.0.1:" in message
    assert "\n" not in message


def test_a_database_that_does_not_exist_says_to_create_it(store_location: str) -> None:
    missing = make_url(store_location).set(database="dms_bot_no_such_db", password=PASSWORD)
    with pytest.raises(StoreError, match="does not exist on that server; create it") as caught:
        SqlStore(missing.render_as_string(hide_password=False))
    assert PASSWORD not in str(caught.value)


def test_a_password_in_the_url_never_shows_in_the_store_name(store_location: str) -> None:
    """Trust authentication ignores the password; the store still names itself with it masked."""
    with_password = make_url(store_location).set(password=PASSWORD).render_as_string(hide_password=False)
    with SqlStore(with_password) as store:
        assert PASSWORD not in store.path and "***" in store.path and store.backend == "postgresql"


def test_a_url_of_another_kind_is_refused(tmp_path: object) -> None:
    with pytest.raises(StoreError, match=r"file path or a postgresql:// URL, not a mysql:// URL"):
        SqlStore("mysql://root@127.0.0.1/dms")


def test_a_closed_store_is_a_store_error(store_location: str) -> None:
    store = SqlStore(store_location)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.last_sweep()
