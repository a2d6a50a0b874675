"""Every button's action id (:class:`Action`) and the JSON its value carries, in one place for
the renderers that make buttons and the listeners that answer them.

A button value comes back from Slack in a ``block_actions`` payload, and anyone who can craft such
a payload can put anything in it, so :func:`decode_value` treats it as untrusted input: only the
keys below survive, each with a checked type and range. Unknown keys are *ignored* (dropped), so a
button made by a newer or older version of the bot still works after a deploy or a rollback;
a known key with a bad value is rejected, and so is a value with no known key at all (listeners
always get something to act on). :func:`encode_value` is strict instead — it refuses
unknown keys and bad values, so the bot never makes a button it would not accept back.

Value schema (every key optional unless ``scope`` asks for it):

========  ===========================================  ==========================================
key       type                                         meaning
========  ===========================================  ==========================================
scope     "all" | "tasks" | "task"                     which tasks a re-check / table list covers
tasks     non-empty list of task/config ARNs (*)       required when scope is "tasks"
task      task or replication-config ARN (*)           required when scope is "task"
state     str, ≤ 64 chars                              validation-state filter for table pages
page      int, 0..10000                                table page number (0-based)
command   str, ≤ 200 chars                             the ``/dms`` command a Share button re-runs
table     "schema.table", ≤ 200 chars, plain           failed-rows page filter (``/dms failures``)
hours     1 | 4 | 24                                   snooze length
========  ===========================================  ==========================================

(*) a replication task's ARN, or a DMS Serverless replication's config ARN (``:replication-config:``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from bot.core.models import Task
from bot.core.slash import TABLE_MAX, split_table


class Action(StrEnum):
    """The ``action_id`` of every button the bot makes (a ``str``, so Bolt and Slack take it as is)."""

    RECHECK = "dms_recheck"
    SHOW_TABLES = "dms_show_tables"
    TABLES_PAGE = "dms_tables_page"
    SHARE = "dms_share"
    ACK = "dms_ack"
    SNOOZE = "dms_snooze"  # the prefix of the three Snooze buttons' ids below
    REVALIDATE = "dms_revalidate"
    SNOOZE_1 = "dms_snooze_1"
    SNOOZE_4 = "dms_snooze_4"
    SNOOZE_24 = "dms_snooze_24"
    FAILED_ROWS = "dms_failed_rows"
    FAILURES_PAGE = "dms_failures_page"
    WATCH_READY = "dms_watch_ready"  # "Tell me when ready" on a /dms ready answer


# One action_id per Snooze button ("dms_snooze_1", "_4", "_24"): Slack wants action_ids unique
# within a block. The hours also travel in the value; listeners should trust the value, not the id.
SNOOZE_BUTTON_HOURS = (1, 4, 24)
SNOOZE_ACTIONS = (Action.SNOOZE_1, Action.SNOOZE_4, Action.SNOOZE_24)
SNOOZE_ACTION_PATTERN = re.compile(rf"^{Action.SNOOZE}_(?:1|4|24)$")  # for ``app.action(...)``

ALL_ACTIONS = tuple(Action)


def snooze_action(hours: int) -> Action:
    """The action id of the Snooze button for ``hours`` (one of :data:`SNOOZE_BUTTON_HOURS`)."""
    return Action(f"{Action.SNOOZE}_{hours}")


VALUE_MAX = 2000
SCOPES = frozenset({"all", "tasks", "task"})
SNOOZE_HOURS = frozenset({1, 4, 24})
STATE_MAX = 64
COMMAND_MAX = 200
PAGE_MAX = 10_000

# A task (``:task:``) or a DMS Serverless replication config (``:replication-config:``); the resource
# id part as AWS's own runbook matches it (AWSSupport-TroubleshootDMSTableErrors).
TASK_ARN = re.compile(r"arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:(?:task|replication-config):[A-Za-z0-9-]+")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,254}")
_PLAIN_STATE = re.compile(r"[A-Za-z0-9 ._()-]{1,64}")
_PLAIN_TABLE = re.compile(r"[\w$#@.-]{3,200}")  # letters (any script), digits, _ $ # @ . -


def is_task_arn(value: object) -> bool:
    """True for strings shaped like a DMS replication-task or replication-config ARN (and nothing else)."""
    return isinstance(value, str) and TASK_ARN.fullmatch(value) is not None


def _scope(value: object) -> str:
    if isinstance(value, str) and value in SCOPES:
        return value
    raise ValueError(f"scope must be one of {sorted(SCOPES)}")


def _arn(value: object) -> str:
    if is_task_arn(value):
        return str(value)
    raise ValueError("task must be a DMS task ARN")


def _arns(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("tasks must be a non-empty list of DMS task ARNs")
    return [_arn(item) for item in value]


def _bounded_str(limit: int) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, str) and len(value) <= limit:
            return value
        raise ValueError(f"expected a string of at most {limit} characters")

    return check


def _table(value: object) -> str:
    if isinstance(value, str) and plain_table(value) == value:
        return value
    raise ValueError(f"table must be a plain schema.table, at most {TABLE_MAX} characters")


def _int_in(allowed: range | frozenset[int]) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value in allowed:
            return value
        raise ValueError(f"expected an integer in {allowed}")

    return check


_FIELDS: dict[str, Callable[[object], Any]] = {
    "scope": _scope,
    "tasks": _arns,
    "task": _arn,
    "state": _bounded_str(STATE_MAX),
    "page": _int_in(range(PAGE_MAX + 1)),
    "command": _bounded_str(COMMAND_MAX),
    "hours": _int_in(SNOOZE_HOURS),
    "table": _table,
}


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    out = {key: check(data[key]) for key, check in _FIELDS.items() if key in data}
    if out.get("scope") == "tasks" and "tasks" not in out:
        raise ValueError('scope "tasks" needs a tasks list')
    if out.get("scope") == "task" and "task" not in out:
        raise ValueError('scope "task" needs a task ARN')
    return out


def encode_value(data: dict[str, Any]) -> str:
    """Compact JSON for a button value; ValueError when it is invalid or over Slack's 2,000 chars."""
    unknown = set(data) - set(_FIELDS)
    if unknown:
        raise ValueError(f"unknown button value keys: {sorted(unknown)}")
    raw = json.dumps(_validated(data), separators=(",", ":"))
    if len(raw) > VALUE_MAX:
        raise ValueError(f"button value is {len(raw)} characters; Slack allows {VALUE_MAX}")
    return raw


def decode_value(raw: object) -> dict[str, Any]:
    """The known, validated keys of an untrusted button value; ValueError for anything else."""
    if not isinstance(raw, str):
        raise ValueError("button value must be a string")
    if len(raw) > VALUE_MAX:
        raise ValueError("button value is too long")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValueError("button value is not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("button value must be a JSON object")
    value = _validated(data)
    if not value:
        raise ValueError("button value carries no key the bot knows")
    return value


def task_scope(task: Task) -> dict[str, Any] | None:
    """``{"scope": "task", "task": arn}``, or None when the ARN is not one a button may carry."""
    return {"scope": "task", "task": task.arn} if is_task_arn(task.arn) else None


def share_command(verb: str, task: Task, *extra: str) -> dict[str, Any] | None:
    """The Share button's value: the command again, naming the task by identifier (by ARN when
    the identifier is not a plain DMS one), or None when the task cannot be named at all."""
    if _IDENTIFIER.fullmatch(task.identifier):
        name = task.identifier
    elif is_task_arn(task.arn):
        name = task.arn
    else:
        return None
    return {"command": " ".join([verb, name, *extra])}


def plain_state(state: str | None) -> str | None:
    """A state filter fit to echo back in a button value (letters, digits, spaces, ``._()-``)."""
    return state if state is not None and _PLAIN_STATE.fullmatch(state) else None


def plain_table(name: str | None) -> str | None:
    """A ``schema.table`` filter fit to echo back in a button value (letters, digits, ``_$#@.-``)."""
    if name is None or not _PLAIN_TABLE.fullmatch(name) or split_table(name) is None:
        return None
    return name
