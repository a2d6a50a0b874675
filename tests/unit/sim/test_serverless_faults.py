"""Fault rules on the serverless operations: restricted to one replication by id or ARN, like tasks."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bot.sim import FaultRule, Scenario
from tests.support.sim_helpers import error_code, make_client

TWO = Scenario.from_dict(
    {
        "replications": [
            {"id": "orders-sl", "tables": [{"schema": "s", "name": "orders"}]},
            {"id": "billing-sl", "tables": [{"schema": "s", "name": "invoices"}]},
        ]
    }
)


@pytest.fixture
def sim(start_sim):
    return start_sim(TWO)


@pytest.fixture
def dms(sim):
    return make_client(sim.url)


def test_unknown_enum_on_one_listed_replication(dms, sim):
    """unknown_enum on DescribeReplications for billing-sl rewrites only its Status."""
    sim.set_faults([FaultRule("unknown_enum", op="DescribeReplications", task="billing-sl", value="weird")])
    statuses = {
        r["ReplicationConfigIdentifier"]: r["Status"] for r in dms.describe_replications()["Replications"]
    }
    assert statuses == {"orders-sl": "running", "billing-sl": "weird"}


def test_missing_fields_on_one_replications_tables(dms, sim):
    """missing_fields on DescribeReplicationTableStatistics, restricted by config id, drops the fields
    from that replication's tables only."""
    orders, billing = (r.arn for r in TWO.replications)
    sim.set_faults([FaultRule("missing_fields", op="DescribeReplicationTableStatistics", task="orders-sl")])
    [table] = dms.describe_replication_table_statistics(ReplicationConfigArn=orders)[
        "ReplicationTableStatistics"
    ]
    assert "ValidationState" not in table and "TableState" not in table
    [other] = dms.describe_replication_table_statistics(ReplicationConfigArn=billing)[
        "ReplicationTableStatistics"
    ]
    assert other["ValidationState"] == "Validated"


def test_a_terminal_fault_restricted_by_config_arn(dms, sim):
    """A throttle rule naming billing-sl's ARN fires on requests naming it (by ARN or filter) only."""
    orders, billing = (r.arn for r in TWO.replications)
    sim.set_faults([FaultRule("throttle", task=billing)])
    dms.describe_replication_table_statistics(ReplicationConfigArn=orders)
    for call in (
        lambda: dms.describe_replication_table_statistics(ReplicationConfigArn=billing),
        lambda: dms.describe_replications(
            Filters=[{"Name": "replication-config-id", "Values": ["billing-sl"]}]
        ),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "ThrottlingException"
    assert len(dms.describe_replications()["Replications"]) == 2  # an unfiltered listing names nobody


def test_a_deleted_replication_disappears(dms, sim):
    """delete_task works on a replication: the request naming it finds it gone (ResourceNotFoundFault),
    and so do both listings afterwards."""
    orders = TWO.replications[0].arn
    sim.set_faults([FaultRule("delete_task", task="orders-sl", count=1)])
    with pytest.raises(dms.exceptions.ResourceNotFoundFault):
        dms.describe_replication_table_statistics(ReplicationConfigArn=orders)
    assert [r["ReplicationConfigIdentifier"] for r in dms.describe_replications()["Replications"]] == [
        "billing-sl"
    ]
    assert len(dms.describe_replication_configs()["ReplicationConfigs"]) == 1
