"""Per-task ReplicationTaskSettings and TableStatistics ``Resync*`` fields, as a scenario declares them.

A task's ``task_settings`` table is merged, key by key, into the simulator's default settings
document (``views.settings_json``), so a scenario says only what differs::

    [tasks.task_settings.ResyncSettings]
    EnableResync = true
    [tasks.task_settings.TargetMetadata]
    FullLobMode = true
    LimitedSizeLobMode = false

Tables (and their ``changes``) may declare ``resync_state``, ``resync_rows_attempted``,
``resync_rows_succeeded`` and ``resync_rows_failed``; DescribeTableStatistics then sends them as DMS
3.6.1+ does (``ResyncState``, ``ResyncRowsAttempted``, ...), and leaves them out otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

RESYNC_FIELDS = {
    "resync_state": "ResyncState",
    "resync_rows_attempted": "ResyncRowsAttempted",
    "resync_rows_succeeded": "ResyncRowsSucceeded",
    "resync_rows_failed": "ResyncRowsFailed",
}


def merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` laid over it, tables merged key by key."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def settings_document(default: str, overrides: Mapping[str, Any] | None) -> str:
    """The task's ReplicationTaskSettings JSON: the default, or the default with its overrides."""
    if not overrides:
        return default
    return json.dumps(merged(json.loads(default), overrides))


def resync_items(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The TableStatistics ``Resync*`` members for a table's effective fields (none when undeclared)."""
    return {api: fields[key] for key, api in RESYNC_FIELDS.items() if fields.get(key) is not None}


def checked_settings(value: Any, error: Callable[[str, str], Exception]) -> Mapping[str, Any] | None:
    """A scenario's ``task_settings``: absent, or a table (``error(key, problem)`` otherwise)."""
    if value is not None and not isinstance(value, Mapping):
        raise error("task_settings", "expected a table of ReplicationTaskSettings sections")
    return value
