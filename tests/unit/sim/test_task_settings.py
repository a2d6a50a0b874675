"""Scenario-declared ReplicationTaskSettings and TableStatistics Resync* fields, served to boto3."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.sim import Scenario, ScenarioError, SimServer
from tests.support.sim_helpers import make_client

SCENARIO = {
    "tasks": [
        {
            "id": "resync-cdc",
            "task_settings": {
                "ResyncSettings": {
                    "EnableResync": True,
                    "ResyncSchedule": "0 0,2 * * *",
                    "MaxResyncTime": 60,
                },
                "TargetMetadata": {"FullLobMode": True, "LimitedSizeLobMode": False},
            },
            "tables": [
                {
                    "schema": "sales",
                    "name": "orders",
                    "resync_state": "Pending",
                    "resync_rows_attempted": 0,
                    "changes": [
                        {
                            "at": "10m",
                            "resync_state": "Last resync at: 2026-12-06T06:00:00Z",
                            "resync_rows_attempted": 10,
                            "resync_rows_succeeded": 9,
                            "resync_rows_failed": 1,
                        }
                    ],
                },
                {"schema": "sales", "name": "lines"},
            ],
        },
        {"id": "plain-cdc", "validation": False},
    ]
}


@pytest.fixture
def dms(start_sim: Callable[..., SimServer]) -> tuple[SimServer, Any]:
    sim = start_sim(Scenario.from_dict(SCENARIO))
    return sim, make_client(sim.url)


def settings(client: Any, identifier: str) -> dict[str, Any]:
    tasks = client.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [identifier]}], WithoutSettings=False
    )["ReplicationTasks"]
    loaded: dict[str, Any] = json.loads(tasks[0]["ReplicationTaskSettings"])
    return loaded


def test_task_settings_are_merged_into_the_default_document(dms: tuple[SimServer, Any]) -> None:
    _, client = dms
    doc = settings(client, "resync-cdc")
    assert doc["ResyncSettings"] == {
        "EnableResync": True,
        "ResyncSchedule": "0 0,2 * * *",
        "MaxResyncTime": 60,
    }
    assert doc["TargetMetadata"]["FullLobMode"] is True and doc["TargetMetadata"]["LobChunkSize"] == 64
    assert doc["ValidationSettings"]["EnableValidation"] is True
    plain = settings(client, "plain-cdc")
    assert "ResyncSettings" not in plain and plain["ValidationSettings"]["EnableValidation"] is False


def test_resync_fields_are_sent_only_when_declared_and_follow_changes(dms: tuple[SimServer, Any]) -> None:
    sim, client = dms
    arn = sim.scenario.tasks[0].arn

    def stats() -> dict[str, dict[str, Any]]:
        rows = client.describe_table_statistics(ReplicationTaskArn=arn)["TableStatistics"]
        return {r["TableName"]: r for r in rows}

    first = stats()
    assert (first["orders"]["ResyncState"], first["orders"]["ResyncRowsAttempted"]) == ("Pending", 0)
    assert "ResyncRowsFailed" not in first["orders"] and not any(
        k.startswith("Resync") for k in first["lines"]
    )
    sim.advance(600)
    later = stats()["orders"]
    assert later["ResyncState"] == "Last resync at: 2026-12-06T06:00:00Z"
    assert (later["ResyncRowsSucceeded"], later["ResyncRowsFailed"]) == (9, 1)


def test_task_settings_must_be_a_table() -> None:
    with pytest.raises(ScenarioError, match=r"tasks\[0\].task_settings: expected a table"):
        Scenario.from_dict({"tasks": [{"id": "x", "task_settings": "EnableResync"}]})
