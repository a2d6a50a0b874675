"""``[[databases]]`` and ``[failures]``: read-only access to DMS target databases (row-level failures).

URLs may hold passwords: they are checked without being quoted in any message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot import settings as s
from bot.config import keys
from bot.config.reader import TableReader

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def row_level_failures(root: TableReader, env: Mapping[str, str]) -> dict[str, Any]:
    """``databases`` and ``failures`` for :class:`Settings`, from ``[[databases]]`` and ``[failures]``."""
    failures = root.table("failures")
    failures.check_keys(keys.FAILURES)
    use_secrets = failures.get("use_endpoint_secrets")
    if use_secrets is not None and not isinstance(use_secrets, bool):
        raise failures.fail("use_endpoint_secrets", f"expected true or false, got {use_secrets!r}")
    raw = root.get("databases")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise root.fail("databases", "expected one or more [[databases]] tables")
    databases: list[s.DatabaseSettings] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise root.fail(f"databases[{index}]", "expected a table")
        databases.append(_database(TableReader(item, f"databases[{index}].", root.source), env))
    endpoints = [d.endpoint for d in databases]
    duplicates = sorted({e for e in endpoints if endpoints.count(e) > 1})
    if duplicates:
        raise root.fail("databases", f"endpoint {duplicates[0]!r} is configured twice")
    default = s.FailuresSettings()
    use = default.use_endpoint_secrets if use_secrets is None else use_secrets
    return {"databases": tuple(databases), "failures": s.FailuresSettings(use_endpoint_secrets=use)}


def _database(r: TableReader, env: Mapping[str, str]) -> s.DatabaseSettings:
    r.check_keys(keys.DATABASE)
    endpoint = r.string("endpoint")
    if endpoint is None:
        raise r.fail("endpoint", "required: the DMS target endpoint's identifier or ARN")
    url, secret_id = r.get("url"), r.string("secret_id")
    if (url is None) == (secret_id is None):
        raise r.fail("url", "give exactly one of url or secret_id")
    password = _password(r, env, _database_url(r) if url is not None else None)
    default = s.DatabaseSettings(endpoint=endpoint)
    return s.DatabaseSettings(
        endpoint=endpoint,
        url=_secret(url),
        secret_id=secret_id,
        password_env=r.string("password_env"),
        control_schema=r.string("control_schema"),
        statement_timeout=r.duration("statement_timeout", default.statement_timeout, minimum=0.1),
        row_limit=int(r.number("row_limit", default.row_limit, minimum=1, maximum=100_000)),
        password=_secret(password),
    )


def _password(r: TableReader, env: Mapping[str, str], url_password: str | None) -> str | None:
    """From the URL, or from the environment variable ``password_env`` names (not both)."""
    password_env = r.string("password_env", _ENV_NAME, "an environment variable name")
    if not password_env:
        return url_password
    if url_password:
        raise r.fail("password_env", "the url already holds a password: give it in one place")
    if not env.get(password_env):
        raise r.fail("password_env", f"environment variable {password_env} is not set")
    return env[password_env]


def _database_url(r: TableReader) -> str | None:
    """Check the URL's scheme and shape without quoting it (it may hold a password); its password."""
    from bot.targets.engines import parse_url  # SQLAlchemy is imported only when databases are set

    value = r.get("url")
    if not isinstance(value, str) or not value.strip():
        raise r.fail("url", "expected a non-empty string")
    try:
        url = parse_url(value.strip())
    except ValueError as exc:
        raise r.fail("url", str(exc)) from None
    return url.password if isinstance(url.password, str) else None


def _secret(value: Any) -> s.Secret | None:
    return s.Secret(value) if isinstance(value, str) and value else None
