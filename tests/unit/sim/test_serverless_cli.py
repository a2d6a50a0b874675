"""The real AWS CLI against the simulator for the four serverless operations (no paginators: the CLI
makes one call and prints ``Marker``; the next call passes ``--marker``)."""

from __future__ import annotations

import pytest

from bot.sim import Scenario, build_fleet
from tests.support.sim_helpers import aws_cli, run_aws_cli

SMALL = Scenario.from_dict(
    {
        "replications": [
            {
                "id": "orders-sl",
                "tables": [{"schema": "sales", "name": "orders", "validation_state": "Mismatched records"}],
                "generate": [{"count": 520, "schema": "hist"}],
            },
            {"id": "billing-sl", "status": "failed", "failure_messages": ["Target endpoint unreachable"]},
        ]
    }
)


@pytest.fixture
def small(start_sim):
    return start_sim(SMALL)


def test_describe_replications_pages_with_marker(tmp_path, start_sim):
    """120 replications: `describe-replications` returns 100 and a Marker, `--marker` the other 20."""
    sim = start_sim(build_fleet(0, 1, replications=120))
    first = aws_cli(tmp_path, "describe-replications", "--endpoint-url", sim.url)
    assert len(first["Replications"]) == 100 and first["Marker"]
    rest = aws_cli(tmp_path, "describe-replications", "--marker", first["Marker"], "--endpoint-url", sim.url)
    assert [r["ReplicationConfigIdentifier"] for r in rest["Replications"]][-1] == "fleet-sl-0120"
    assert "Marker" not in rest and len(rest["Replications"]) == 20
    assert sim.counters()["calls"] == {"DescribeReplications": 2}


def test_describe_replications_with_a_filter_and_configs(tmp_path, small):
    """--filters Name=replication-config-id,Values=...; describe-replication-configs lists both."""
    out = aws_cli(
        tmp_path,
        "describe-replications",
        "--filters",
        "Name=replication-config-id,Values=billing-sl",
        "--endpoint-url",
        small.url,
    )
    [billing] = out["Replications"]
    assert (billing["Status"], billing["FailureMessages"]) == ("failed", ["Target endpoint unreachable"])
    configs = aws_cli(
        tmp_path, "describe-replication-configs", "--max-records", "20", "--endpoint-url", small.url
    )
    assert [c["ReplicationConfigIdentifier"] for c in configs["ReplicationConfigs"]] == [
        "orders-sl",
        "billing-sl",
    ]


def test_describe_replication_table_statistics_pages_past_500_tables(tmp_path, small):
    """521 tables: 500 with a Marker, then 21."""
    arn = SMALL.replications[0].arn
    common = ("--replication-config-arn", arn, "--max-records", "500", "--endpoint-url", small.url)
    first = aws_cli(tmp_path, "describe-replication-table-statistics", *common)
    assert len(first["ReplicationTableStatistics"]) == 500
    assert first["ReplicationTableStatistics"][0]["ValidationState"] == "Mismatched records"
    rest = aws_cli(tmp_path, "describe-replication-table-statistics", *common, "--marker", first["Marker"])
    assert len(rest["ReplicationTableStatistics"]) == 21 and "Marker" not in rest


def test_reload_replication_tables_validate_only(tmp_path, small):
    """`reload-replication-tables --reload-option validate-only` is accepted and logged."""
    arn = SMALL.replications[0].arn
    out = aws_cli(
        tmp_path,
        "reload-replication-tables",
        "--replication-config-arn",
        arn,
        "--tables-to-reload",
        "SchemaName=sales,TableName=orders",
        "--reload-option",
        "validate-only",
        "--endpoint-url",
        small.url,
    )
    assert out == {"ReplicationConfigArn": arn}
    [record] = small.reloads()
    assert (record["op"], record["option"], record["accepted"]) == (
        "ReloadReplicationTables",
        "validate-only",
        True,
    )


def test_the_cli_reports_dms_faults(tmp_path, small):
    """A reload on a failed replication: the CLI fails with InvalidResourceStateFault; an unknown
    ARN: ResourceNotFoundFault."""
    failed = SMALL.replications[1].arn
    for arn, code in ((failed, "InvalidResourceStateFault"), (failed + "X", "ResourceNotFoundFault")):
        done = run_aws_cli(
            tmp_path,
            "reload-replication-tables",
            "--replication-config-arn",
            arn,
            "--tables-to-reload",
            "SchemaName=s,TableName=t",
            "--endpoint-url",
            small.url,
        )
        assert done.returncode != 0 and f"({code})" in done.stderr
