"""Driver and SQLAlchemy errors mapped, at the edge, to one :class:`TargetDbError` line each.

The line says what failed and what to do, names the endpoint and host, and never the password:
driver text is only quoted after the URL's password has been scrubbed from it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc as sa_exc

from bot.errors import TargetDbError
from bot.targets.connect import TargetDatabase

_PG_KINDS = {
    "28P01": "auth",  # invalid_password
    "28000": "auth",  # invalid_authorization_specification (no such role, pg_hba reject)
    "57014": "timeout",  # query_canceled: statement_timeout
    "42P01": "missing_table",  # undefined_table
    "3F000": "missing_table",  # invalid_schema_name
    "42501": "permission",  # insufficient_privilege
    "3D000": "no_database",  # invalid_catalog_name
}
_MYSQL_KINDS = {
    1045: "auth",  # access denied for user (password)
    1044: "permission",  # access denied to database
    1142: "permission",  # SELECT command denied
    1049: "no_database",
    1146: "missing_table",
    1969: "timeout",  # MariaDB: max_statement_time exceeded
    3024: "timeout",  # MySQL: max_execution_time exceeded
    2003: "unreachable",  # can't connect
    2005: "unreachable",  # unknown host
    2006: "unreachable",  # server has gone away
    2013: "unreachable",  # lost connection (a read_timeout says "timed out": see _kind)
}
_AUTH_WORDS = ("password authentication failed", "authentication failed", "no password supplied")


def classify(exc: BaseException) -> str:
    """The failure's kind, from the driver's own code where it gives one."""
    if isinstance(exc, sa_exc.TimeoutError):
        return "timeout"
    orig: Any = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_KINDS:
        return _PG_KINDS[sqlstate]
    code = orig.args[0] if getattr(orig, "args", None) and isinstance(orig.args[0], int) else None
    if code is not None and code in _MYSQL_KINDS:
        return "timeout" if code == 2013 and "timed out" in text else _MYSQL_KINDS[code]
    if "no such table" in text:
        return "missing_table"
    if any(words in text for words in _AUTH_WORDS) or ("role" in text and "does not exist" in text):
        return "auth"
    if isinstance(orig, OSError) or "connection" in text or "could not translate host" in text:
        return "unreachable"
    return "error"


def to_target_error(exc: BaseException, db: TargetDatabase, *, table: str) -> TargetDbError:
    """One line for ``exc``; ``table`` is the control table the query read."""
    kind = classify(exc)
    url = db.url
    where = f"endpoint {db.endpoint} ({url.host or url.database}{f':{url.port}' if url.port else ''})"
    schema = db.control_schema or "main"
    messages = {
        "auth": f"the database refused the login of user {url.username or '(none)'}: wrong password or no such user",
        "permission": f"user {url.username or '(none)'} may not read {schema}.{table}: GRANT SELECT on it",
        "no_database": f"database {url.database} does not exist",
        "missing_table": f"no {table} in schema {schema}: is validation enabled on the task, and is control_schema right?",
        "timeout": f"the query ran past the {db.statement_timeout:g}s statement timeout: narrow it (--table, --type) or raise statement_timeout",
        "unreachable": f"cannot connect ({_reason(exc, db)})",
        "error": f"the query failed ({_reason(exc, db)})",
    }
    return TargetDbError(f"{where}: {messages[kind]}", kind=kind)


def _reason(exc: BaseException, db: TargetDatabase) -> str:
    orig: Any = getattr(exc, "orig", None) or exc
    text = str(orig)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused: is the database up and the port right?"
    if "timed out" in lowered or "timeout expired" in lowered:
        return "timed out: is the host reachable from the bot?"
    password = db.url.password
    if password:
        text = text.replace(str(password), "********")
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:199] + "…"
