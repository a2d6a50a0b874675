"""DescribeReplicationTasks and DescribeTableStatistics through real boto3 over HTTP."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from bot.sim import Scenario, build_fleet
from tests.support.sim_helpers import error_code, make_client, task_arn


def test_table_paginator_pages_of_500_cost_three_calls(start_sim):
    """1,200 tables with PageSize 500 come back complete, in order, in exactly 3 calls."""
    sim = start_sim(build_fleet(1, 1200))
    client = make_client(sim.url)
    arn = task_arn(client, "fleet-0001")
    sim.reset_counters()
    pages = client.get_paginator("describe_table_statistics").paginate(
        ReplicationTaskArn=arn, PaginationConfig={"PageSize": 500}
    )
    sizes, names = [], []
    for page in pages:
        sizes.append(len(page["TableStatistics"]))
        names += [t["TableName"] for t in page["TableStatistics"]]
    assert sizes == [500, 500, 200]
    assert len(set(names)) == 1200 and names[0] == "table_0001" and names[-1] == "table_1200"
    assert sim.counters()["calls"] == {"DescribeTableStatistics": 3}


def test_table_statistics_default_page_is_100(start_sim):
    """Without MaxRecords DMS returns 100 tables and a Marker."""
    sim = start_sim(build_fleet(1, 250))
    client = make_client(sim.url)
    page = client.describe_table_statistics(ReplicationTaskArn=task_arn(client, "fleet-0001"))
    assert len(page["TableStatistics"]) == 100 and page["Marker"]


def test_task_paginator_pages_of_100(start_sim):
    """250 tasks list in 3 DescribeReplicationTasks calls of at most 100."""
    sim = start_sim(build_fleet(250, 1))
    client = make_client(sim.url)
    pages = list(client.get_paginator("describe_replication_tasks").paginate(WithoutSettings=True))
    assert [len(p["ReplicationTasks"]) for p in pages] == [100, 100, 50]
    assert sim.counters()["calls"] == {"DescribeReplicationTasks": 3}
    assert "Marker" not in pages[-1]


@pytest.mark.parametrize(
    ("op", "value", "message"),
    [
        ("describe_replication_tasks", 19, "between 20 and 100"),
        ("describe_replication_tasks", 101, "between 20 and 100"),
        ("describe_table_statistics", 19, "between 20 and 500"),
        ("describe_table_statistics", 501, "between 20 and 500"),
    ],
)
def test_max_records_out_of_range_is_rejected(dms, op, value, message):
    """MaxRecords outside DMS's range is InvalidParameterValueException (botocore does not check it)."""
    params = {"MaxRecords": value}
    if op == "describe_table_statistics":
        params["ReplicationTaskArn"] = task_arn(dms, "orders-cdc")
    with pytest.raises(ClientError) as excinfo:
        getattr(dms, op)(**params)
    assert error_code(excinfo) == "InvalidParameterValueException"
    assert message in excinfo.value.response["Error"]["Message"]


@pytest.mark.parametrize("op", ["describe_replication_tasks", "describe_table_statistics"])
def test_bad_marker_is_rejected(dms, op):
    """A marker the simulator did not issue (or issued for another listing) is invalid."""
    params = {"Marker": "not-a-marker"}
    if op == "describe_table_statistics":
        params["ReplicationTaskArn"] = task_arn(dms, "orders-cdc")
    with pytest.raises(ClientError) as excinfo:
        getattr(dms, op)(**params)
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_marker_from_another_task_is_rejected(dms):
    """Table markers are scoped to their task."""
    first = dms.describe_table_statistics(ReplicationTaskArn=task_arn(dms, "inventory-cdc"), MaxRecords=20)
    with pytest.raises(ClientError) as excinfo:
        dms.describe_table_statistics(ReplicationTaskArn=task_arn(dms, "billing-cdc"), Marker=first["Marker"])
    assert error_code(excinfo) == "InvalidParameterValueException"


def _task_ids(client, filters):
    tasks = client.describe_replication_tasks(Filters=filters, WithoutSettings=True)["ReplicationTasks"]
    return [t["ReplicationTaskIdentifier"] for t in tasks]


def test_task_filters_each_documented_name(dms):
    """replication-task-arn/-id, migration-type, endpoint-arn (either end) and instance ARN all filter."""
    orders = dms.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": ["orders-cdc"]}]
    )["ReplicationTasks"][0]
    assert _task_ids(dms, [{"Name": "replication-task-arn", "Values": [orders["ReplicationTaskArn"]]}]) == [
        "orders-cdc"
    ]
    assert _task_ids(dms, [{"Name": "migration-type", "Values": ["full-load"]}]) == ["archive-full-load"]
    assert _task_ids(dms, [{"Name": "endpoint-arn", "Values": [orders["SourceEndpointArn"]]}]) == [
        "orders-cdc"
    ]
    assert _task_ids(dms, [{"Name": "endpoint-arn", "Values": [orders["TargetEndpointArn"]]}]) == [
        "orders-cdc"
    ]
    instance = [{"Name": "replication-instance-arn", "Values": [orders["ReplicationInstanceArn"]]}]
    assert len(_task_ids(dms, instance)) == 6


def test_task_filters_and_across_names_or_within_values(dms):
    """Several filters are ANDed; the values of one filter are ORed."""
    ids = [{"Name": "replication-task-id", "Values": ["orders-cdc", "billing-cdc", "archive-full-load"]}]
    assert _task_ids(dms, ids) == ["orders-cdc", "billing-cdc", "archive-full-load"]
    both = [*ids, {"Name": "migration-type", "Values": ["cdc", "full-load"]}]
    assert _task_ids(dms, both) == ["orders-cdc", "archive-full-load"]


def test_task_filter_matching_nothing_is_resource_not_found(dms):
    """Real DMS answers an empty filtered listing with ResourceNotFoundFault."""
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.describe_replication_tasks(Filters=[{"Name": "replication-task-id", "Values": ["nope"]}])


def test_no_tasks_and_no_filters_is_an_empty_list(start_sim):
    """An account without tasks lists an empty page, not an error."""
    sim = start_sim(Scenario(()))
    assert make_client(sim.url).describe_replication_tasks()["ReplicationTasks"] == []


@pytest.mark.parametrize("name", ["replication-task-name", "status"])
def test_unknown_filter_name_is_rejected(dms, name):
    """Only the documented filter names are accepted."""
    with pytest.raises(ClientError) as excinfo:
        dms.describe_replication_tasks(Filters=[{"Name": name, "Values": ["x"]}])
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_table_filters_each_documented_name(dms):
    """schema-name, table-name and table-state filter table statistics, ANDed."""
    arn = task_arn(dms, "billing-cdc")

    def names(filters):
        return [
            t["TableName"]
            for t in dms.describe_table_statistics(ReplicationTaskArn=arn, Filters=filters)["TableStatistics"]
        ]

    assert names([{"Name": "table-state", "Values": ["Table error"]}]) == ["invoices"]
    assert names([{"Name": "table-name", "Values": ["ledger", "payments"]}]) == ["ledger", "payments"]
    assert len(names([{"Name": "schema-name", "Values": ["billing"]}])) == 100
    assert names([{"Name": "schema-name", "Values": ["other"]}]) == []
    both = [
        {"Name": "table-state", "Values": ["Full load"]},
        {"Name": "table-name", "Values": ["refunds", "ledger"]},
    ]
    assert names(both) == ["refunds"]
    with pytest.raises(ClientError) as excinfo:
        names([{"Name": "validation-state", "Values": ["Error"]}])
    assert error_code(excinfo) == "InvalidParameterValueException"


def test_filtered_tables_paginate(dms):
    """A filtered listing pages by MaxRecords too."""
    arn = task_arn(dms, "billing-cdc")
    pages = dms.get_paginator("describe_table_statistics").paginate(
        ReplicationTaskArn=arn,
        Filters=[{"Name": "schema-name", "Values": ["billing"]}],
        PaginationConfig={"PageSize": 50},
    )
    assert [len(p["TableStatistics"]) for p in pages] == [50, 50, 27]


def test_without_settings_omits_replication_task_settings(dms):
    """WithoutSettings drops the large settings JSON; otherwise it carries EnableValidation."""
    filters = [{"Name": "replication-task-id", "Values": ["orders-cdc", "marketing-cdc"]}]
    lean = dms.describe_replication_tasks(Filters=filters, WithoutSettings=True)["ReplicationTasks"]
    assert all("ReplicationTaskSettings" not in task for task in lean)
    full = dms.describe_replication_tasks(Filters=filters)["ReplicationTasks"]
    enabled = [
        json.loads(t["ReplicationTaskSettings"])["ValidationSettings"]["EnableValidation"] for t in full
    ]
    assert enabled == [True, False]


def test_task_fields_look_like_dms(dms):
    """Tasks carry identity, status, stop reason, dates, mappings and stats; None fields are absent."""
    tasks = {t["ReplicationTaskIdentifier"]: t for t in dms.describe_replication_tasks()["ReplicationTasks"]}
    orders, archive, crm = tasks["orders-cdc"], tasks["archive-full-load"], tasks["crm-cdc"]
    assert orders["ReplicationTaskArn"].startswith("arn:aws:dms:eu-west-1:123456789012:task:")
    assert orders["Status"] == "running" and orders["MigrationType"] == "cdc"
    assert "StopReason" not in orders and "LastFailureMessage" not in orders
    assert archive["StopReason"] == "Stop Reason FULL_LOAD_ONLY_FINISHED" and archive["Status"] == "stopped"
    assert crm["Status"] == "failed" and "FATAL_ERROR" in crm["LastFailureMessage"]
    assert orders["ReplicationTaskCreationDate"] < orders["ReplicationTaskStartDate"]
    assert json.loads(orders["TableMappings"])["rules"][0]["object-locator"]["schema-name"] == "sales"
    stats = tasks["inventory-cdc"]["ReplicationTaskStats"]
    assert stats["TablesLoaded"] == 300 and stats["TablesErrored"] == 0 and stats["ElapsedTimeMillis"] > 0
    assert tasks["billing-cdc"]["ReplicationTaskStats"]["TablesErrored"] == 1


def test_table_fields_look_like_dms(dms):
    """Table statistics carry counts, states, validation counters and details only when set."""
    arn = task_arn(dms, "billing-cdc")
    tables = {
        t["TableName"]: t for t in dms.describe_table_statistics(ReplicationTaskArn=arn)["TableStatistics"]
    }
    payments = tables["payments"]
    assert payments["ValidationState"] == "Suspended records" and payments["ValidationSuspendedRecords"] == 3
    assert payments["ValidationStateDetails"].startswith("3 rows")
    assert payments["TableState"] == "Table completed" and payments["FullLoadRows"] > 0
    assert payments["FullLoadStartTime"] < payments["FullLoadEndTime"]
    assert {"Inserts", "Updates", "Deletes", "Ddls", "LastUpdateTime", "ValidationPendingRecords"} <= set(
        payments
    )
    assert "ValidationStateDetails" not in tables["charges_001"]
    assert "FullLoadEndTime" not in tables["refunds"]


def test_validation_off_means_not_enabled(dms):
    """Every table of a task with validation disabled is 'Not enabled'."""
    arn = task_arn(dms, "marketing-cdc")
    states = {
        t["ValidationState"] for t in dms.describe_table_statistics(ReplicationTaskArn=arn)["TableStatistics"]
    }
    assert states == {"Not enabled"}


def test_unknown_task_is_resource_not_found(dms):
    """An ARN the account does not have is ResourceNotFoundFault."""
    with pytest.raises(dms.exceptions.ResourceNotFoundFault) as excinfo:
        dms.describe_table_statistics(ReplicationTaskArn="arn:aws:dms:eu-west-1:123456789012:task:NOPE")
    assert "Replication Task not found" in str(excinfo.value)


def test_creating_task_has_no_table_statistics(start_sim):
    """DescribeTableStatistics on a task still 'creating' is InvalidResourceStateFault."""
    sim = start_sim(
        Scenario.from_dict(
            {"tasks": [{"id": "new", "status": "creating"}, {"id": "old", "status": "stopped"}]}
        )
    )
    client = make_client(sim.url)
    with pytest.raises(client.exceptions.InvalidResourceStateFault):
        client.describe_table_statistics(ReplicationTaskArn=task_arn(client, "new"))
    assert (
        client.describe_table_statistics(ReplicationTaskArn=task_arn(client, "old"))["TableStatistics"] == []
    )


def test_unknown_operation_and_malformed_bodies(demo):
    """Unknown X-Amz-Target is UnknownOperationException; a non-object body is SerializationException."""
    import requests

    def post(target, body):
        headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
        return requests.post(demo.url + "/", data=body, headers=headers, timeout=5)

    unknown = post("AmazonDMSv20160101.DescribeEverything", b"{}")
    assert unknown.status_code == 400 and unknown.json()["__type"] == "UnknownOperationException"
    assert unknown.headers["Content-Type"] == "application/x-amz-json-1.1"
    bad = post("AmazonDMSv20160101.DescribeReplicationTasks", b"[1]")
    assert bad.status_code == 400 and bad.json()["__type"] == "SerializationException"
    assert demo.counters()["errors"] == {"DescribeEverything": 1, "DescribeReplicationTasks": 1}
