"""What the cutover gate reads from a task's ``ReplicationTaskSettings`` (a JSON document in a string).

Only three facts: is validation enabled, are LOBs fully validated, is data resync enabled. A field
that is absent or unreadable is None ("the settings do not say"), never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class TaskSettings:
    validation_enabled: bool | None = None
    lob_caveat: str | None = None  # why LOBs are not fully validated, when they are not
    resync_enabled: bool | None = None
    unreadable: str | None = None  # the settings could not be read at all: why


def to_task_settings(raw: Any) -> TaskSettings:
    """``ReplicationTaskSettings`` (JSON text, or an already decoded object) as :class:`TaskSettings`."""
    if raw is None:
        return TaskSettings(unreadable="DMS sent no task settings")
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return TaskSettings(unreadable="the task settings are not valid JSON")
    if not isinstance(data, Mapping):
        return TaskSettings(unreadable="the task settings are not a JSON object")
    validation = _section(data, "ValidationSettings")
    resync = _section(data, "ResyncSettings")
    return TaskSettings(
        validation_enabled=_flag(validation.get("EnableValidation")),
        lob_caveat=lob_caveat(_section(data, "TargetMetadata"), validation),
        resync_enabled=_flag(resync.get("EnableResync")),
    )


def lob_caveat(target: Mapping[str, Any], validation: Mapping[str, Any]) -> str | None:
    """Why LOB columns are not fully validated (reference/dms-cutover.md §8.6), or None."""
    if _flag(validation.get("SkipLobColumns")):
        return "LOB columns are not validated (ValidationSettings.SkipLobColumns is true)"
    partial = validation.get("ValidationPartialLobSize")
    if isinstance(partial, int | float) and not isinstance(partial, bool) and partial > 0:
        return f"LOB columns are validated only up to {partial:g} KB (ValidationSettings.ValidationPartialLobSize)"
    if _flag(target.get("SupportLobs")) is False:
        return "LOB columns are not migrated (TargetMetadata.SupportLobs is false)"
    if _flag(target.get("LimitedSizeLobMode")) and not _flag(target.get("FullLobMode")):
        size = target.get("LobMaxSize")
        shown = f" of {size:g} KB" if isinstance(size, int | float) and not isinstance(size, bool) else ""
        return f"limited LOB mode{shown}: longer LOBs are truncated on the target (check the task log)"
    return None


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
