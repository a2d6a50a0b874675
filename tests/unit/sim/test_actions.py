"""ReloadTables, Start/StopReplicationTask and the scenario timeline, through boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bot.sim import Scenario
from tests.support.sim_helpers import error_code, make_client, task_arn


def _table(client, arn, name):
    filters = [{"Name": "table-name", "Values": [name]}]
    return client.describe_table_statistics(ReplicationTaskArn=arn, Filters=filters)["TableStatistics"][0]


def _task(client, ident):
    filters = [{"Name": "replication-task-id", "Values": [ident]}]
    return client.describe_replication_tasks(Filters=filters, WithoutSettings=True)["ReplicationTasks"][0]


def test_validate_only_reload_revalidates_after_revalidate_after(demo, dms):
    """Reloaded tables go 'Pending revalidation' with counters reset, then 'Validated' 60 s later."""
    arn = task_arn(dms, "billing-cdc")
    tables = [
        {"SchemaName": "billing", "TableName": "invoice_lines"},
        {"SchemaName": "billing", "TableName": "payments"},
    ]
    response = dms.reload_tables(ReplicationTaskArn=arn, TablesToReload=tables, ReloadOption="validate-only")
    assert response["ReplicationTaskArn"] == arn
    lines = _table(dms, arn, "invoice_lines")
    assert lines["ValidationState"] == "Pending revalidation" and lines["ValidationFailedRecords"] == 0
    assert _table(dms, arn, "payments")["ValidationSuspendedRecords"] == 0
    demo.advance(61)
    assert _table(dms, arn, "invoice_lines")["ValidationState"] == "Validated"
    assert _table(dms, arn, "invoice_lines")["TableState"] == "Table completed"
    [record] = demo.reloads()
    assert record["task_arn"] == arn and record["option"] == "validate-only" and record["accepted"]
    assert record["tables"] == tables


def test_data_reload_marks_tables_reloading(demo, dms):
    """data-reload (the default) also reloads: 'Table is being reloaded', FullLoadReloaded, then completed."""
    arn = task_arn(dms, "billing-cdc")
    dms.reload_tables(
        ReplicationTaskArn=arn, TablesToReload=[{"SchemaName": "billing", "TableName": "ledger"}]
    )
    ledger = _table(dms, arn, "ledger")
    assert ledger["TableState"] == "Table is being reloaded" and ledger["FullLoadReloaded"] is True
    assert "ValidationStateDetails" not in ledger
    demo.advance(60)
    assert _table(dms, arn, "ledger")["TableState"] == "Table completed"
    assert demo.reloads()[0]["option"] == "data-reload"


def test_reload_requires_a_running_task(demo, dms):
    """ReloadTables on a stopped task is InvalidResourceStateFault, and is still recorded."""
    arn = task_arn(dms, "archive-full-load")
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.reload_tables(
            ReplicationTaskArn=arn, TablesToReload=[{"SchemaName": "archive", "TableName": "events_2023_001"}]
        )
    assert demo.reloads()[0]["accepted"] is False


def test_reload_accepts_at_most_ten_tables(dms):
    """More than 10 tables in one request is InvalidResourceStateFault."""
    arn = task_arn(dms, "inventory-cdc")
    tables = [{"SchemaName": "inventory", "TableName": f"item_{i:03d}"} for i in range(1, 12)]
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.reload_tables(ReplicationTaskArn=arn, TablesToReload=tables, ReloadOption="validate-only")
    dms.reload_tables(ReplicationTaskArn=arn, TablesToReload=tables[:10], ReloadOption="validate-only")


@pytest.mark.parametrize(
    ("task", "tables", "option"),
    [
        ("orders-cdc", [{"SchemaName": "sales", "TableName": "nope"}], "validate-only"),
        ("orders-cdc", [{"SchemaName": "sales", "TableName": "orders"}] * 2, "validate-only"),
        ("orders-cdc", [], "validate-only"),
        ("marketing-cdc", [{"SchemaName": "marketing", "TableName": "campaign_001"}], "validate-only"),
        ("orders-cdc", [{"SchemaName": "sales", "TableName": "orders"}], "reload-everything"),
    ],
)
def test_reload_rejects_bad_tables_and_options(dms, task, tables, option):
    """Unknown/duplicate/no tables, validate-only without validation and bad options are InvalidParameterValue."""
    with pytest.raises(ClientError) as excinfo:
        dms.reload_tables(ReplicationTaskArn=task_arn(dms, task), TablesToReload=tables, ReloadOption=option)
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_data_reload_is_refused_on_cdc_only_tasks(dms):
    """The User Guide allows reloading data only for full-load and full-load-and-cdc tasks."""
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.reload_tables(
            ReplicationTaskArn=task_arn(dms, "orders-cdc"),
            TablesToReload=[{"SchemaName": "sales", "TableName": "orders"}],
        )


def test_stop_then_start(dms):
    """running -> stopped (Stop Reason NORMAL) -> running; StartDate moves to the restart."""
    arn = task_arn(dms, "inventory-cdc")
    before = _task(dms, "inventory-cdc")["ReplicationTaskStartDate"]
    stopped = dms.stop_replication_task(ReplicationTaskArn=arn)["ReplicationTask"]
    assert stopped["Status"] == "stopped" and stopped["StopReason"] == "Stop Reason NORMAL"
    assert _task(dms, "inventory-cdc")["Status"] == "stopped"
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.stop_replication_task(ReplicationTaskArn=arn)
    started = dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    task = started["ReplicationTask"]
    assert task["Status"] == "running" and "StopReason" not in task
    assert task["ReplicationTaskStartDate"] > before


def test_start_state_machine(dms):
    """A failed task can be restarted; a running one cannot; bad start types are rejected."""
    crm = task_arn(dms, "crm-cdc")
    with pytest.raises(ClientError) as excinfo:
        dms.start_replication_task(ReplicationTaskArn=crm, StartReplicationTaskType="warp-speed")
    assert error_code(excinfo) == "InvalidParameterValueException"
    task = dms.start_replication_task(ReplicationTaskArn=crm, StartReplicationTaskType="reload-target")[
        "ReplicationTask"
    ]
    assert task["Status"] == "running" and "LastFailureMessage" not in task
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.start_replication_task(ReplicationTaskArn=crm, StartReplicationTaskType="resume-processing")


def test_first_run_needs_start_replication(start_sim):
    """A 'ready' task (never run) starts only with start-replication."""
    sim = start_sim(Scenario.from_dict({"tasks": [{"id": "fresh", "status": "ready"}]}))
    client = make_client(sim.url)
    arn = task_arn(client, "fresh")
    assert "ReplicationTaskStartDate" not in _task(client, "fresh")
    with pytest.raises(ClientError):
        client.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    client.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert _task(client, "fresh")["Status"] == "running"


def test_demo_table_goes_bad_and_recovers_as_time_advances(demo, dms):
    """sales.orders: Validated, Mismatched at 2 min, worse at 4 min, Validated again at 6 min."""
    arn = task_arn(dms, "orders-cdc")
    seen = []
    for step in (0, 125, 120, 120):
        demo.advance(step)
        table = _table(dms, arn, "orders")
        seen.append((table["ValidationState"], table["ValidationFailedRecords"]))
    assert seen == [
        ("Validated", 0),
        ("Mismatched records", 12),
        ("Mismatched records", 57),
        ("Validated", 0),
    ]


def test_task_level_changes_apply_over_time(start_sim):
    """Task changes switch Status/StopReason/LastFailureMessage at their time; '' clears a field."""
    data = {
        "tasks": [
            {
                "id": "flaky",
                "changes": [
                    {
                        "at": "1m",
                        "status": "failed",
                        "stop_reason": "Stop Reason FATAL_ERROR",
                        "last_failure_message": "boom",
                    },
                    {"at": "2m", "status": "running", "stop_reason": "", "last_failure_message": ""},
                ],
            }
        ]
    }
    sim = start_sim(Scenario.from_dict(data))
    client = make_client(sim.url)
    sim.advance(60)
    failed = _task(client, "flaky")
    assert (failed["Status"], failed["StopReason"], failed["LastFailureMessage"]) == (
        "failed",
        "Stop Reason FATAL_ERROR",
        "boom",
    )
    sim.advance(60)
    again = _task(client, "flaky")
    assert again["Status"] == "running" and "StopReason" not in again and "LastFailureMessage" not in again


def test_last_update_time_is_live_only_while_running(start_sim):
    """LastUpdateTime follows the clock for running tasks, freezes when stopped or marked stale."""
    data = {
        "tasks": [
            {
                "id": "live",
                "tables": [{"schema": "s", "name": "t"}, {"schema": "s", "name": "old", "stale": "1h"}],
            },
            {"id": "frozen", "stale": True, "tables": [{"schema": "s", "name": "t"}]},
        ]
    }
    sim = start_sim(Scenario.from_dict(data), start_epoch=1_800_000_000.0)
    client = make_client(sim.url)
    live, frozen = task_arn(client, "live"), task_arn(client, "frozen")
    sim.advance(600)
    assert _table(client, live, "t")["LastUpdateTime"].timestamp() == pytest.approx(1_800_000_600, abs=5)
    assert _table(client, live, "old")["LastUpdateTime"].timestamp() == 1_800_000_000 - 3600
    assert _table(client, frozen, "t")["LastUpdateTime"].timestamp() == 1_800_000_000
    client.stop_replication_task(ReplicationTaskArn=live)
    stopped_at = _table(client, live, "t")["LastUpdateTime"]
    sim.advance(600)
    assert _table(client, live, "t")["LastUpdateTime"] == stopped_at
    assert sim.epoch() == pytest.approx(1_800_001_200, abs=5)
