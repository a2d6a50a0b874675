"""``[[databases]]`` and ``[failures]``: one way to connect per entry, passwords kept secret,
and one clear error naming the file and key for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.settings import DatabaseSettings, FailuresSettings, Secret


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dms-bot.toml"
    path.write_text(text)
    return path


def test_entries_with_url_or_secret_are_read_with_defaults(tmp_path: Path) -> None:
    text = """
[[databases]]
endpoint = "orders-target"
url = "postgresql://dms_reader@orders-db.internal:5432/orders"
password_env = "ORDERS_DB_PASSWORD"
statement_timeout = "2s"
[[databases]]
endpoint = "arn:aws:dms:eu-west-1:123456789012:endpoint:ABC"
secret_id = "prod/billing-db/reader"
control_schema = "dms_ctl"
row_limit = 200
[failures]
use_endpoint_secrets = true
"""
    s = load_settings(write(tmp_path, text), env={"ORDERS_DB_PASSWORD": "pw-from-env"})
    orders, billing = s.databases
    assert orders == DatabaseSettings(
        endpoint="orders-target",
        url=Secret("postgresql://dms_reader@orders-db.internal:5432/orders"),
        password_env="ORDERS_DB_PASSWORD",
        statement_timeout=2.0,
        password=Secret("pw-from-env"),
    )
    assert (billing.secret_id, billing.control_schema, billing.row_limit, billing.url) == (
        "prod/billing-db/reader",
        "dms_ctl",
        200,
        None,
    )
    assert billing.statement_timeout == 5.0
    assert s.failures == FailuresSettings(use_endpoint_secrets=True)


def test_no_databases_is_the_default() -> None:
    s = load_settings(None, env={"DMS_BOT_CONFIG": ""})
    assert s.databases == () and s.failures.use_endpoint_secrets is False


def test_passwords_are_secrets_never_printed(tmp_path: Path) -> None:
    text = '[[databases]]\nendpoint = "a"\nurl = "mysql://reader:url-pw-123@db:3306/x"\n'
    text += '[[databases]]\nendpoint = "b"\nurl = "postgresql://r@db/x"\npassword_env = "PW"\n'
    s = load_settings(write(tmp_path, text), env={"PW": "env-pw-456"})
    assert "url-pw-123" not in repr(s) and "env-pw-456" not in repr(s)
    assert {"url-pw-123", "env-pw-456"} <= set(s.secrets())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('url = "postgresql://h/db"', "databases[0].endpoint: required"),
        ('endpoint = "a"', "databases[0].url: give exactly one of url or secret_id"),
        (
            'endpoint = "a"\nurl = "postgresql://h/db"\nsecret_id = "s"',
            "give exactly one of url or secret_id",
        ),
        (
            'endpoint = "a"\nurl = "mssql://u:hunter2@h/db"',
            "databases[0].url: scheme mssql:// is not supported yet",
        ),
        ('endpoint = "a"\nurl = "not a url"', "databases[0].url: not a database URL"),
        ('endpoint = "a"\nurl = "postgresql:///db"', "databases[0].url: the URL names no host"),
        ('endpoint = "a"\nurl = 5', "databases[0].url: expected a non-empty string"),
        (
            'endpoint = "a"\nurl = "mysql://u:p@h/db"\npassword_env = "PW"',
            "password_env: the url already holds",
        ),
        ('endpoint = "a"\nurl = "mysql://u@h/db"\npassword_env = "UNSET_PW"', "UNSET_PW is not set"),
        (
            'endpoint = "a"\nurl = "mysql://u@h/db"\npassword_env = "1-bad"',
            "not an environment variable name",
        ),
        ('endpoint = "a"\nsecret_id = "s"\nrow_limit = 0', "databases[0].row_limit: must be between"),
        ('endpoint = "a"\nsecret_id = "s"\nstatement_timeout = "soon"', "databases[0].statement_timeout"),
        ('endpoint = "a"\nsecret_id = "s"\npassword = "x"', "databases[0].password: unknown key"),
    ],
)
def test_broken_entries_name_file_key_and_problem(tmp_path: Path, entry: str, message: str) -> None:
    path = write(tmp_path, f"[[databases]]\n{entry}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert message in str(caught.value) and str(path) in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[databases]]\nendpoint = "a"\nsecret_id = "s"\n' * 2,
            "databases: endpoint 'a' is configured twice",
        ),
        ('[failures]\nuse_endpoint_secrets = "yes"', "failures.use_endpoint_secrets: expected true or false"),
        ("[failures]\nsecrets = true", "failures.secrets: unknown key"),
        ("databases = 1", "databases: expected one or more [[databases]] tables"),
    ],
)
def test_broken_sections_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(write(tmp_path, text), env={})
