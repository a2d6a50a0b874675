"""What the cutover gate reads from ReplicationTaskSettings: validation, LOB validation, resync."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.task_settings import TaskSettings, to_task_settings

FULL_LOB = {"SupportLobs": True, "FullLobMode": True, "LimitedSizeLobMode": False}


def doc(validation: dict[str, Any] | None = None, target: dict[str, Any] | None = None, **more: Any) -> str:
    data: dict[str, Any] = {"TargetMetadata": target or FULL_LOB, "ValidationSettings": validation or {}}
    data.update(more)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (doc({"EnableValidation": True}), TaskSettings(validation_enabled=True)),
        (doc({"EnableValidation": False}), TaskSettings(validation_enabled=False)),
        (doc({"EnableValidation": "yes"}), TaskSettings()),  # not a boolean: the settings do not say
        (
            doc(
                {"EnableValidation": True},
                ResyncSettings={"EnableResync": True, "ResyncSchedule": "0 0 * * *"},
            ),
            TaskSettings(validation_enabled=True, resync_enabled=True),
        ),
        (None, TaskSettings(unreadable="DMS sent no task settings")),
        ("{not json", TaskSettings(unreadable="the task settings are not valid JSON")),
        ("[1]", TaskSettings(unreadable="the task settings are not a JSON object")),
        (
            {"ValidationSettings": {"EnableValidation": True}, "TargetMetadata": FULL_LOB},
            TaskSettings(validation_enabled=True),
        ),
    ],
)
def test_settings_are_read_or_said_unreadable(raw: Any, expected: TaskSettings) -> None:
    assert to_task_settings(raw) == expected


@pytest.mark.parametrize(
    ("validation", "target", "words"),
    [
        ({"SkipLobColumns": True}, FULL_LOB, "SkipLobColumns"),
        ({"ValidationPartialLobSize": 64}, FULL_LOB, "only up to 64 KB"),
        ({}, {"SupportLobs": False}, "not migrated"),
        (
            {},
            {"SupportLobs": True, "FullLobMode": False, "LimitedSizeLobMode": True, "LobMaxSize": 32},
            "limited LOB mode of 32 KB",
        ),
        ({"ValidationPartialLobSize": 0}, FULL_LOB, None),
        ({}, FULL_LOB, None),
    ],
)
def test_lobs_not_fully_validated_are_a_caveat(
    validation: dict[str, Any], target: dict[str, Any], words: str | None
) -> None:
    caveat = to_task_settings(doc(validation, target)).lob_caveat
    assert caveat is None if words is None else words in (caveat or "")
