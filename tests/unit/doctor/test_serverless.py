"""doctor's DMS Serverless lines: which of the three read calls is allowed, and what to grant."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from bot.doctor import Status
from bot.doctor.serverless import check_serverless
from bot.settings import Target

ROLE = "arn:aws:iam::123456789012:role/ro"
CONFIG_ARN = "arn:aws:dms:eu-west-1:123456789012:replication-config:RES1"
REPLICATION = {
    "ReplicationConfigIdentifier": "orders-serverless",
    "ReplicationConfigArn": CONFIG_ARN,
    "Status": "running",
}


def stubbed() -> tuple[Any, Stubber]:
    client = boto3.client("dms", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")
    return client, Stubber(client)


def denied(stub: Stubber, operation: str) -> None:
    stub.add_client_error(operation, service_error_code="AccessDeniedFault", http_status_code=400)


def test_all_three_allowed() -> None:
    client, stub = stubbed()
    stub.add_response("describe_replications", {"Replications": [REPLICATION]}, {"MaxRecords": 20})
    stub.add_response("describe_replication_configs", {"ReplicationConfigs": []}, {"MaxRecords": 20})
    stub.add_response(
        "describe_replication_table_statistics",
        {"ReplicationTableStatistics": []},
        {"ReplicationConfigArn": CONFIG_ARN, "MaxRecords": 20},
    )
    with stub:
        checks = check_serverless(client, Target(name="prod"))
    assert [(c.status, c.detail) for c in checks] == [
        (Status.OK, "dms:DescribeReplications allowed (1 replications)"),
        (Status.OK, "dms:DescribeReplicationConfigs allowed"),
        (Status.OK, "dms:DescribeReplicationTableStatistics allowed (tried on orders-serverless)"),
    ]
    stub.assert_no_pending_responses()


def test_each_denied_call_names_its_action_and_whom_to_grant_it() -> None:
    client, stub = stubbed()
    denied(stub, "describe_replications")
    denied(stub, "describe_replication_configs")
    with stub:
        listing, configs = check_serverless(client, Target(name="prod", role_arn=ROLE))
    assert listing.status is Status.FAIL and "AccessDeniedFault" in listing.detail
    assert listing.fix is not None and listing.fix.startswith(
        f"grant dms:DescribeReplications to the role {ROLE} (docs/iam-policy.json)"
    )
    assert "serverless = false" in listing.fix
    assert configs.status is Status.FAIL and configs.fix is not None
    assert "dms:DescribeReplicationConfigs" in configs.fix


def test_statistics_denied_on_the_config_resource() -> None:
    """The statistics call's IAM resource is the config: a listing allowed says nothing about it."""
    client, stub = stubbed()
    stub.add_response("describe_replications", {"Replications": [REPLICATION], "Marker": "m"})
    stub.add_response("describe_replication_configs", {"ReplicationConfigs": []})
    denied(stub, "describe_replication_table_statistics")
    with stub:
        listing, _, stats = check_serverless(client, Target(name="prod"))
    assert listing.detail == "dms:DescribeReplications allowed (1+ replications)"
    assert stats.status is Status.FAIL
    assert stats.detail.startswith("dms:DescribeReplicationTableStatistics (tried on orders-serverless)")
    assert stats.fix is not None and "grant dms:DescribeReplicationTableStatistics" in stats.fix


def test_an_account_with_no_replication_skips_the_statistics() -> None:
    client, stub = stubbed()
    stub.add_client_error("describe_replications", service_error_code="ResourceNotFoundFault")
    stub.add_response("describe_replication_configs", {"ReplicationConfigs": []})
    with stub:
        listing, configs, stats = check_serverless(client, Target(name="prod"))
    assert (listing.status, configs.status, stats.status) == (Status.OK, Status.OK, Status.SKIP)


def test_serverless_false_makes_no_call() -> None:
    client, stub = stubbed()
    with stub:
        [check] = check_serverless(client, Target(name="prod", serverless=False))
    assert check.status is Status.SKIP and "serverless = false" in check.detail
