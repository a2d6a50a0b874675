"""Fault injection: each kind, its count, its op and task restrictions, seen through boto3."""

from __future__ import annotations

import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from bot.sim import FaultRule
from tests.support.sim_helpers import error_code, make_client, task_arn

STATS = "DescribeTableStatistics"
THREE_ATTEMPTS = Config(retries={"mode": "standard", "total_max_attempts": 3})


def _stats(client, arn):
    return client.describe_table_statistics(ReplicationTaskArn=arn)["TableStatistics"]


def test_throttle_fault_fires_count_times_then_clears(demo, dms):
    """kind=throttle answers ThrottlingException `count` times, counted as throttled, then serves."""
    arn = task_arn(dms, "orders-cdc")
    demo.set_faults([FaultRule(kind="throttle", op=STATS, count=2)])
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            _stats(dms, arn)
        assert error_code(excinfo) == "ThrottlingException"
    assert _stats(dms, arn)
    assert demo.counters()["throttled"] == {STATS: 2} and demo.faults() == []


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("http_500", 500, "InternalFailure"), ("http_503", 503, "ServiceUnavailable")],
)
def test_server_faults_are_retried_by_botocore(demo, kind, status, code):
    """5xx faults fail a no-retry client and are retried through by botocore's standard mode."""
    client = make_client(demo.url)
    arn = task_arn(client, "orders-cdc")
    demo.set_faults([FaultRule(kind=kind, op=STATS, count=1)])
    with pytest.raises(ClientError) as excinfo:
        _stats(client, arn)
    assert error_code(excinfo) == code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    demo.set_faults([FaultRule(kind=kind, op=STATS, count=2)])
    demo.reset_counters()
    assert _stats(make_client(demo.url, THREE_ATTEMPTS), arn)
    assert demo.counters()["calls"] == {STATS: 3} and demo.counters()["errors"] == {STATS: 2}


def test_delay_fault_sleeps_before_answering(demo, dms):
    """kind=delay holds the answer for `seconds` of real time, then serves normally."""
    arn = task_arn(dms, "orders-cdc")
    demo.set_faults([FaultRule(kind="delay", op=STATS, seconds=0.3, count=1)])
    began = time.perf_counter()
    assert _stats(dms, arn)
    assert time.perf_counter() - began >= 0.3


def test_reset_fault_drops_the_connection(demo, dms):
    """kind=reset closes the connection without a response; the next call works."""
    demo.set_faults([FaultRule(kind="reset", op="DescribeReplicationTasks", count=1)])
    with pytest.raises(ConnectionClosedError):
        dms.describe_replication_tasks()
    assert dms.describe_replication_tasks()["ReplicationTasks"]
    assert demo.counters()["errors"] == {"DescribeReplicationTasks": 1}


def test_missing_fields_fault_drops_state_fields(demo, dms):
    """kind=missing_fields removes ValidationState/TableState by default, or the listed fields."""
    arn = task_arn(dms, "orders-cdc")
    demo.set_faults([FaultRule(kind="missing_fields", op=STATS, count=1)])
    tables = _stats(dms, arn)
    assert all("ValidationState" not in t and "TableState" not in t for t in tables)
    demo.set_faults([FaultRule(kind="missing_fields", op=STATS, fields=("ValidationFailedRecords",))])
    table = _stats(dms, arn)[0]
    assert "ValidationFailedRecords" not in table and table["ValidationState"] == "Validated"


def test_missing_fields_on_a_listing_hits_only_the_named_task(demo, dms):
    """On DescribeReplicationTasks a task-restricted item fault alters only that task's item."""
    demo.set_faults(
        [FaultRule(kind="missing_fields", op="DescribeReplicationTasks", task="billing-cdc", count=1)]
    )
    tasks = {t["ReplicationTaskIdentifier"]: t for t in dms.describe_replication_tasks()["ReplicationTasks"]}
    assert "Status" not in tasks["billing-cdc"] and tasks["orders-cdc"]["Status"] == "running"
    assert demo.faults() == []


def test_unknown_enum_fault_invents_states(demo, dms):
    """kind=unknown_enum replaces ValidationState/TableState/Status with a value DMS never documented."""
    demo.set_faults([FaultRule(kind="unknown_enum")])
    table = _stats(dms, task_arn(dms, "orders-cdc"))[0]
    assert table["ValidationState"] == table["TableState"] == "Quantum entangled"
    assert {t["Status"] for t in dms.describe_replication_tasks()["ReplicationTasks"]} == {
        "Quantum entangled"
    }


def test_delete_task_fault_between_listing_and_statistics(demo, dms):
    """kind=delete_task on the statistics call: listed first, then ResourceNotFoundFault from then on."""
    arn = task_arn(dms, "billing-cdc")
    demo.set_faults([FaultRule(kind="delete_task", op=STATS, task="billing-cdc", count=1)])
    assert _stats(dms, task_arn(dms, "orders-cdc"))  # other tasks are unaffected
    for _ in range(2):
        with pytest.raises(dms.exceptions.ResourceNotFoundFault):
            _stats(dms, arn)
    ids = [t["ReplicationTaskIdentifier"] for t in dms.describe_replication_tasks()["ReplicationTasks"]]
    assert "billing-cdc" not in ids and len(ids) == 5


def test_invalid_state_fault(demo, dms):
    """kind=invalid_state answers InvalidResourceStateFault for the named task only."""
    demo.set_faults([FaultRule(kind="invalid_state", op=STATS, task=task_arn(dms, "crm-cdc"))])
    with pytest.raises(dms.exceptions.InvalidResourceStateFault):
        _stats(dms, task_arn(dms, "crm-cdc"))
    assert _stats(dms, task_arn(dms, "orders-cdc"))
    assert demo.faults()[0]["remaining"] is None


def test_fault_on_any_op_and_clearing(demo, dms):
    """A rule without op hits every operation; set_faults([]) clears all rules."""
    demo.set_faults([FaultRule(kind="http_503")])
    with pytest.raises(ClientError):
        dms.describe_replication_tasks()
    with pytest.raises(ClientError):
        _stats(dms, "arn:aws:dms:eu-west-1:123456789012:task:ANY")
    demo.set_faults([])
    assert dms.describe_replication_tasks()["ReplicationTasks"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "meteor"},
        {"kind": "delete_task"},
        {"kind": "throttle", "count": 0},
        {"kind": "delay", "seconds": -1},
    ],
)
def test_fault_rules_are_validated(kwargs):
    """Unknown kinds, delete_task without a task, count < 1 and negative delays are refused."""
    with pytest.raises(ValueError):
        FaultRule(**kwargs)


def test_fault_rule_from_dict():
    """The control endpoint's JSON maps onto FaultRule, unknown keys refused."""
    rule = FaultRule.from_dict({"kind": "missing_fields", "op": STATS, "fields": ["Inserts"], "count": 3})
    assert rule.fields == ("Inserts",) and rule.count == 3
    with pytest.raises(ValueError):
        FaultRule.from_dict({"kind": "throttle", "when": "always"})
    with pytest.raises(ValueError):
        FaultRule.from_dict({"op": STATS})
