"""DMS Serverless operations over HTTP with unmodified boto3: shapes, paging, filters, errors, reloads."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bot.sim import Scenario, build_fleet
from tests.support.sim_helpers import error_code, make_client

MIXED = Scenario.from_dict(
    {
        "simulator": {"revalidate_after": "60s"},
        "tasks": [{"id": "orders-cdc"}],
        "replications": [
            {
                "id": "orders-sl",
                "resource_id": "OZRAVXDSNFCUTG5UZNI6HRDWVY",
                "replication_type": "cdc",
                "tables": [
                    {
                        "schema": "sales",
                        "name": "orders",
                        "validation_state": "Mismatched records",
                        "failed_records": 7,
                    },
                    {"schema": "sales", "name": "broken", "table_state": "Table error"},
                ],
                "generate": [{"count": 600, "schema": "hist", "prefix": "h_"}],
            },
            {
                "id": "billing-sl",
                "status": "failed",
                "stop_reason": "Stop Reason FATAL_ERROR",
                "failure_messages": ["Target endpoint unreachable", "Task error: 1020401"],
                "new_provisioning_reason": "The workload grew",
                "tables": [{"schema": "billing", "name": "invoices"}],
            },
            {
                "id": "archive-sl",
                "replication_type": "full-load",
                "status": "stopped",
                "stop_reason": "Stop Reason FULL_LOAD_ONLY_FINISHED",
                "provision_state": "deprovisioned",
                "tables": [{"schema": "archive", "name": "old"}],
            },
            {"id": "fresh-sl", "status": "provisioning_capacity", "capacity_units": 8},
            {"id": "novalid-sl", "validation": False, "tables": [{"schema": "s", "name": "t"}]},
        ],
    }
)


@pytest.fixture
def sim(start_sim):
    return start_sim(MIXED)


@pytest.fixture
def dms(sim):
    return make_client(sim.url)


def arn_of(sim, ident: str) -> str:
    return next(r.arn for r in sim.scenario.replications if r.identifier == ident)


def by_id(dms) -> dict:
    return {r["ReplicationConfigIdentifier"]: r for r in dms.describe_replications()["Replications"]}


def test_describe_replications_lists_every_replication_with_dms_shapes(dms, sim):
    """One Replication per config, in scenario order, with status, provisioning, stop reason,
    failure messages and stats; tasks are not listed here."""
    found = by_id(dms)
    assert list(found) == ["orders-sl", "billing-sl", "archive-sl", "fresh-sl", "novalid-sl"]
    orders = found["orders-sl"]
    assert orders["ReplicationConfigArn"] == (
        "arn:aws:dms:eu-west-1:123456789012:replication-config:OZRAVXDSNFCUTG5UZNI6HRDWVY"
    )
    assert (orders["Status"], orders["ReplicationType"]) == ("running", "cdc")
    assert orders["ProvisionData"]["ProvisionState"] == "provisioned"
    assert orders["ProvisionData"]["ProvisionedCapacityUnits"] == 4
    assert orders["ReplicationStats"]["TablesErrored"] == 1
    assert "StopReason" not in orders and "FailureMessages" not in orders
    assert orders["TargetEndpointArn"].startswith("arn:aws:dms:eu-west-1:123456789012:endpoint:")
    billing = found["billing-sl"]
    assert billing["Status"] == "failed" and billing["StopReason"] == "Stop Reason FATAL_ERROR"
    assert billing["FailureMessages"] == ["Target endpoint unreachable", "Task error: 1020401"]
    assert "ReplicationLastStopTime" in billing and "StopDate" in billing["ReplicationStats"]
    provision = billing["ProvisionData"]
    assert provision["IsNewProvisioningAvailable"] is True
    assert provision["ReasonForNewProvisioningData"] == "The workload grew"
    assert provision["DateNewProvisioningDataAvailable"].timestamp() < sim.epoch()
    assert orders["ProvisionData"]["IsNewProvisioningAvailable"] is False
    fresh = found["fresh-sl"]["ProvisionData"]
    assert (fresh["ProvisionState"], fresh["ProvisionedCapacityUnits"]) == ("provisioning", 0)
    assert "DateProvisioned" not in fresh


def test_a_deprovisioned_replication_has_lost_its_statistics(dms, sim):
    """ProvisionState deprovisioned: no ReplicationStats, a ReplicationDeprovisionTime, and an empty
    table statistics list (UNVERIFIED: what DMS answers after the metadata is lost)."""
    archive = by_id(dms)["archive-sl"]
    assert archive["ProvisionData"]["ProvisionState"] == "deprovisioned"
    assert archive["Status"] == "stopped" and "ReplicationStats" not in archive
    assert archive["ReplicationDeprovisionTime"].timestamp() < sim.epoch()
    tables = dms.describe_replication_table_statistics(ReplicationConfigArn=arn_of(sim, "archive-sl"))
    assert tables["ReplicationTableStatistics"] == [] and "Marker" not in tables


def test_deprovisioning_on_a_timed_change(start_sim):
    """A scenario change deprovisions a stopped replication: its tables disappear from then on."""
    sim = start_sim(
        Scenario.from_dict(
            {
                "replications": [
                    {
                        "id": "r1",
                        "status": "stopped",
                        "tables": [{"schema": "s", "name": "t"}],
                        "changes": [{"at": "1h", "provision_state": "deprovisioned"}],
                    }
                ]
            }
        )
    )
    dms, arn = make_client(sim.url), sim.scenario.replications[0].arn
    assert (
        len(dms.describe_replication_table_statistics(ReplicationConfigArn=arn)["ReplicationTableStatistics"])
        == 1
    )
    sim.advance(3600)
    assert (
        dms.describe_replication_table_statistics(ReplicationConfigArn=arn)["ReplicationTableStatistics"]
        == []
    )
    gone = dms.describe_replications()["Replications"][0]
    assert gone["ReplicationDeprovisionTime"].timestamp() == pytest.approx(sim.epoch(), abs=5)


def test_a_timed_failure_shows_status_stop_reason_and_every_message(start_sim):
    """A scenario change fails a running replication: Status failed, StopReason, FailureMessages, a
    last stop time; a later change clears the messages when it runs again."""
    messages = ["Source connection lost", "Last Error: ORA-03113"]
    change = {
        "at": "2m",
        "status": "failed",
        "stop_reason": "Stop Reason FATAL_ERROR",
        "failure_messages": messages,
    }
    back = {"at": "10m", "status": "running", "stop_reason": "", "failure_messages": []}
    sim = start_sim(Scenario.from_dict({"replications": [{"id": "r1", "changes": [change, back]}]}))
    dms = make_client(sim.url)
    assert dms.describe_replications()["Replications"][0]["Status"] == "running"
    sim.advance(150)
    failed = dms.describe_replications()["Replications"][0]
    assert (failed["Status"], failed["StopReason"]) == ("failed", "Stop Reason FATAL_ERROR")
    assert failed["FailureMessages"] == ["Source connection lost", "Last Error: ORA-03113"]
    assert failed["ReplicationLastStopTime"].timestamp() == pytest.approx(sim.epoch() - 30, abs=2)
    assert failed["ReplicationUpdateTime"] == failed["ReplicationLastStopTime"]
    sim.advance(600)
    again = dms.describe_replications()["Replications"][0]
    assert again["Status"] == "running" and "FailureMessages" not in again and "StopReason" not in again


def test_describe_replication_configs_carries_what_only_the_config_has(dms, sim):
    """ComputeConfig, ReplicationSettings (with ValidationSettings) and TableMappings."""
    configs = dms.describe_replication_configs()["ReplicationConfigs"]
    assert [c["ReplicationConfigIdentifier"] for c in configs][:2] == ["orders-sl", "billing-sl"]
    orders = configs[0]
    assert (
        orders["ComputeConfig"]["MaxCapacityUnits"] == 16 and orders["ComputeConfig"]["MinCapacityUnits"] == 1
    )
    assert '"EnableValidation": true' in orders["ReplicationSettings"]
    assert '"schema-name": "sales"' in orders["TableMappings"]
    assert '"EnableValidation": false' in configs[4]["ReplicationSettings"]


@pytest.mark.parametrize("op", ["describe_replications", "describe_replication_configs"])
def test_filters_by_config_arn_and_id(dms, sim, op):
    """replication-config-arn and replication-config-id select; a filter matching nothing is
    ResourceNotFoundFault; an unknown filter name is InvalidParameterValueException."""
    key = "Replications" if op == "describe_replications" else "ReplicationConfigs"
    call = getattr(dms, op)
    arn = arn_of(sim, "billing-sl")
    by_arn = call(Filters=[{"Name": "replication-config-arn", "Values": [arn]}])[key]
    assert [r["ReplicationConfigIdentifier"] for r in by_arn] == ["billing-sl"]
    by_id_ = call(Filters=[{"Name": "replication-config-id", "Values": ["fresh-sl", "orders-sl"]}])[key]
    assert [r["ReplicationConfigIdentifier"] for r in by_id_] == ["orders-sl", "fresh-sl"]
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        call(Filters=[{"Name": "replication-config-id", "Values": ["orders-cdc"]}])  # a task, not a config
    with pytest.raises(ClientError) as excinfo:
        call(Filters=[{"Name": "replication-task-id", "Values": ["orders-cdc"]}])
    assert error_code(excinfo) == "InvalidParameterValueException"


@pytest.mark.parametrize(
    "op", ["describe_replications", "describe_replication_configs", "describe_replication_table_statistics"]
)
@pytest.mark.parametrize("bad", [19, 101, 501, 0])
def test_max_records_out_of_range_is_rejected(dms, sim, op, bad):
    """MaxRecords 20..100 for the listings, 20..500 for table statistics."""
    kwargs = {"ReplicationConfigArn": arn_of(sim, "orders-sl")} if "table" in op else {}
    high = 500 if "table" in op else 100
    if bad == 101 and high == 500:
        bad = 501
    with pytest.raises(ClientError) as excinfo:
        getattr(dms, op)(MaxRecords=bad, **kwargs)
    assert error_code(excinfo) == "InvalidParameterValueException"
    assert str(high) in excinfo.value.response["Error"]["Message"]


def test_paging_with_marker_across_more_than_100_replications(start_sim):
    """250 replications: 3 DescribeReplications pages of 100/100/50 following Marker; configs too."""
    sim = start_sim(build_fleet(2, 3, replications=250))
    dms = make_client(sim.url)
    seen, marker, calls = [], None, 0
    while True:
        page = dms.describe_replications(**({"Marker": marker} if marker else {}))
        calls += 1
        seen += [r["ReplicationConfigIdentifier"] for r in page["Replications"]]
        marker = page.get("Marker")
        if not marker:
            break
    assert calls == 3 and len(seen) == len(set(seen)) == 250 and seen[0] == "fleet-sl-0001"
    first = dms.describe_replication_configs(MaxRecords=20)
    rest = dms.describe_replication_configs(MaxRecords=100, Marker=first["Marker"])
    assert (
        len(first["ReplicationConfigs"]) == 20
        and rest["ReplicationConfigs"][0]["ReplicationConfigIdentifier"] == "fleet-sl-0021"
    )
    with pytest.raises(ClientError) as excinfo:  # a Marker of another listing
        dms.describe_replication_configs(Marker=page_marker(dms))
    assert error_code(excinfo) == "InvalidParameterValueException"
    assert sim.counters()["calls"]["DescribeReplications"] == 4


def page_marker(dms) -> str:
    return dms.describe_replications(MaxRecords=20)["Marker"]


def test_table_statistics_page_across_more_than_500_tables(dms, sim):
    """602 tables: 500 + 102 with Marker, every table once, the shape of DescribeTableStatistics."""
    arn = arn_of(sim, "orders-sl")
    first = dms.describe_replication_table_statistics(ReplicationConfigArn=arn, MaxRecords=500)
    assert first["ReplicationConfigArn"] == arn and len(first["ReplicationTableStatistics"]) == 500
    second = dms.describe_replication_table_statistics(
        ReplicationConfigArn=arn, MaxRecords=500, Marker=first["Marker"]
    )
    assert "Marker" not in second
    names = [
        (t["SchemaName"], t["TableName"])
        for t in first["ReplicationTableStatistics"] + second["ReplicationTableStatistics"]
    ]
    assert len(names) == len(set(names)) == 602
    orders = first["ReplicationTableStatistics"][0]
    assert (orders["TableName"], orders["ValidationState"], orders["ValidationFailedRecords"]) == (
        "orders",
        "Mismatched records",
        7,
    )
    assert {"TableState", "LastUpdateTime", "ValidationPendingRecords", "Inserts"} <= set(orders)
    default = dms.describe_replication_table_statistics(ReplicationConfigArn=arn)
    assert len(default["ReplicationTableStatistics"]) == 100
    with pytest.raises(ClientError) as excinfo:  # a task ARN's table Marker is not this listing's
        dms.describe_replication_table_statistics(
            ReplicationConfigArn=arn_of(sim, "billing-sl"), Marker=first["Marker"]
        )
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_table_statistics_filters(dms, sim):
    """schema-name / table-name / table-state, ANDed, as DescribeTableStatistics documents them."""
    arn = arn_of(sim, "orders-sl")

    def names(*filters):
        page = dms.describe_replication_table_statistics(ReplicationConfigArn=arn, Filters=list(filters))
        return [t["TableName"] for t in page["ReplicationTableStatistics"]]

    assert names({"Name": "table-state", "Values": ["Table error"]}) == ["broken"]
    assert names({"Name": "schema-name", "Values": ["sales"]}) == ["orders", "broken"]
    assert names(
        {"Name": "schema-name", "Values": ["sales"]}, {"Name": "table-name", "Values": ["orders"]}
    ) == ["orders"]
    assert len(names({"Name": "schema-name", "Values": ["hist"]})) == 100
    with pytest.raises(ClientError) as excinfo:
        names({"Name": "replication-config-arn", "Values": [arn]})
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_unknown_arns_are_resource_not_found(dms, sim):
    """An unknown config ARN, or a task ARN, is ResourceNotFoundFault for both ARN operations."""
    task_arn = sim.scenario.tasks[0].arn
    for arn in ("arn:aws:dms:eu-west-1:123456789012:replication-config:NOPE", task_arn):
        with pytest.raises(dms.exceptions.ResourceNotFoundFault):
            dms.describe_replication_table_statistics(ReplicationConfigArn=arn)
        with pytest.raises(dms.exceptions.ResourceNotFoundFault):
            dms.reload_replication_tables(
                ReplicationConfigArn=arn, TablesToReload=[{"SchemaName": "s", "TableName": "t"}]
            )
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):  # and a config ARN is no task
        dms.describe_table_statistics(ReplicationTaskArn=arn_of(sim, "orders-sl"))


def test_validate_only_reload_revalidates_the_tables(dms, sim):
    """validate-only: "Pending revalidation" at once, "Validated" after revalidate_after; logged."""
    arn = arn_of(sim, "orders-sl")
    tables = [{"SchemaName": "sales", "TableName": "orders"}]
    answer = dms.reload_replication_tables(
        ReplicationConfigArn=arn, TablesToReload=tables, ReloadOption="validate-only"
    )
    assert answer["ReplicationConfigArn"] == arn

    def orders():
        page = dms.describe_replication_table_statistics(
            ReplicationConfigArn=arn, Filters=[{"Name": "table-name", "Values": ["orders"]}]
        )
        return page["ReplicationTableStatistics"][0]

    assert (orders()["ValidationState"], orders()["ValidationFailedRecords"]) == ("Pending revalidation", 0)
    assert orders()["TableState"] == "Table completed"
    sim.advance(61)
    assert orders()["ValidationState"] == "Validated"
    [record] = sim.reloads()
    assert record["op"] == "ReloadReplicationTables" and record["task_arn"] == arn
    assert (record["option"], record["tables"], record["accepted"]) == ("validate-only", tables, True)
    assert sim.counters()["calls"]["ReloadReplicationTables"] == 1


def test_data_reload_reloads_the_table(start_sim):
    """data-reload (the default) on a full-load-and-cdc replication: the table is being reloaded."""
    sim = start_sim(
        Scenario.from_dict({"replications": [{"id": "r1", "tables": [{"schema": "s", "name": "t"}]}]})
    )
    dms, arn = make_client(sim.url), sim.scenario.replications[0].arn
    dms.reload_replication_tables(
        ReplicationConfigArn=arn, TablesToReload=[{"SchemaName": "s", "TableName": "t"}]
    )
    table = dms.describe_replication_table_statistics(ReplicationConfigArn=arn)["ReplicationTableStatistics"][
        0
    ]
    assert (table["TableState"], table["FullLoadReloaded"]) == ("Table is being reloaded", True)


@pytest.mark.parametrize("ident", ["billing-sl", "fresh-sl"])
def test_reload_on_a_replication_that_is_not_running_is_invalid_state(dms, sim, ident):
    """Failed or still provisioning: InvalidResourceStateFault, and the refused request is logged."""
    with pytest.raises(dms.exceptions.InvalidResourceStateFault) as excinfo:
        dms.reload_replication_tables(
            ReplicationConfigArn=arn_of(sim, ident),
            TablesToReload=[{"SchemaName": "billing", "TableName": "invoices"}],
            ReloadOption="validate-only",
        )
    assert "running" in excinfo.value.response["Error"]["Message"]
    assert [r["accepted"] for r in sim.reloads()] == [False]


def test_reload_checks_its_parameters(dms, sim):
    """More than 10 tables, an unknown or repeated table, a bad option, validate-only without
    validation: each refused with DMS's fault."""
    arn = arn_of(sim, "orders-sl")
    many = [{"SchemaName": "hist", "TableName": f"h_{i:03d}"} for i in range(1, 12)]
    cases = [
        (arn, many, "validate-only", "InvalidResourceStateFault"),
        (
            arn,
            [{"SchemaName": "sales", "TableName": "nope"}],
            "validate-only",
            "InvalidParameterValueException",
        ),
        (
            arn,
            [{"SchemaName": "sales", "TableName": "orders"}] * 2,
            "validate-only",
            "InvalidParameterValueException",
        ),
        (arn, [{"SchemaName": "sales", "TableName": "orders"}], "wipe", "InvalidParameterValueException"),
        (arn, [], "validate-only", "InvalidParameterValueException"),
        (
            arn_of(sim, "novalid-sl"),
            [{"SchemaName": "s", "TableName": "t"}],
            "validate-only",
            "InvalidParameterValueException",
        ),
    ]
    for config, tables, option, code in cases:
        with pytest.raises(ClientError) as excinfo:
            dms.reload_replication_tables(
                ReplicationConfigArn=config, TablesToReload=tables, ReloadOption=option
            )
        assert error_code(excinfo) == code, (tables, option)
    assert dms.reload_replication_tables(
        ReplicationConfigArn=arn, TablesToReload=many[:10], ReloadOption="validate-only"
    )


def test_an_account_without_replications_answers_empty_lists(start_sim):
    """No serverless replication: both listings are one call with an empty list (no fault)."""
    sim = start_sim(build_fleet(3, 2))
    dms = make_client(sim.url)
    assert dms.describe_replications()["Replications"] == []
    assert dms.describe_replication_configs()["ReplicationConfigs"] == []
    assert sim.counters()["calls"] == {"DescribeReplications": 1, "DescribeReplicationConfigs": 1}


def test_stop_and_start_a_replication(dms, sim):
    """StopReplication: running -> stopped (Stop Reason NORMAL), still provisioned, no reload accepted;
    StartReplication: back to running, messages cleared; wrong states are InvalidResourceStateFault."""
    arn = arn_of(sim, "orders-sl")
    stopped = dms.stop_replication(ReplicationConfigArn=arn)["Replication"]
    assert (stopped["Status"], stopped["StopReason"]) == ("stopped", "Stop Reason NORMAL")
    assert stopped["ProvisionData"]["ProvisionState"] == "provisioned"
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.stop_replication(ReplicationConfigArn=arn)
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.reload_replication_tables(
            ReplicationConfigArn=arn, TablesToReload=[{"SchemaName": "sales", "TableName": "orders"}]
        )
    with pytest.raises(ClientError) as excinfo:
        dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="warp")
    assert error_code(excinfo) == "InvalidParameterValueException"
    running = dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="resume-processing")
    assert running["Replication"]["Status"] == "running" and "StopReason" not in running["Replication"]
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="resume-processing")
    billing = dms.start_replication(
        ReplicationConfigArn=arn_of(sim, "billing-sl"), StartReplicationType="start-replication"
    )
    assert billing["Replication"]["Status"] == "running" and "FailureMessages" not in billing["Replication"]


def test_starting_a_deprovisioned_replication_provisions_it_again(dms, sim):
    """A deprovisioned replication started again is provisioned, and has table statistics again."""
    arn = arn_of(sim, "archive-sl")
    started = dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="reload-target")[
        "Replication"
    ]
    assert started["ProvisionData"]["ProvisionState"] == "provisioned" and "ReplicationStats" in started
    tables = dms.describe_replication_table_statistics(ReplicationConfigArn=arn)["ReplicationTableStatistics"]
    assert [t["TableName"] for t in tables] == ["old"]
