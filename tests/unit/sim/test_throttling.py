"""The account-wide token bucket (DMS's current quota, 200 tokens and 8/s of scenario time, or the old
one, 100 and 4/s) and the scenario clock."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from bot.sim import Scenario
from bot.sim.clock import SimClock, TokenBucket, quota
from tests.support.sim_helpers import error_code, make_client

ONE_TASK = Scenario.from_dict({"tasks": [{"id": "solo"}]})


class FakeTime:
    """A monotonic source the test moves by hand."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_clock_scales_real_time_and_adds_advances():
    """Scenario time = real elapsed x time_scale + advance()."""
    fake = FakeTime()
    clock = SimClock(time_scale=60, clock=fake)
    fake.value += 2
    assert clock.now() == 120
    assert clock.advance(30) == 150
    clock.restart()
    assert clock.now() == 30
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        SimClock(time_scale=0)


def test_bucket_holds_200_and_refills_8_per_scenario_second_by_default():
    """The current quota: 200 requests pass, the 201st is refused, one scenario second later 8 more pass."""
    fake = FakeTime()
    clock = SimClock(clock=fake)
    bucket = TokenBucket(clock.now)
    assert all(bucket.take() for _ in range(200))
    assert not bucket.take()
    fake.value += 1
    assert [bucket.take() for _ in range(9)] == [True] * 8 + [False]
    clock.advance(1000)
    assert bucket.tokens() == 200  # never above capacity
    bucket.configure(enabled=False)
    assert all(bucket.take() for _ in range(500))


def test_quota_names():
    """ "current" is 200 and 8/s, "old" 100 and 4/s; anything else is one clear error."""
    assert (quota(), quota("current"), quota("old")) == ((200, 8), (200, 8), (100, 4))
    with pytest.raises(ValueError, match="expected one of current, old"):
        quota("new")


@pytest.mark.parametrize(("options", "burst", "refill"), [({}, 200, 8), ({"quota": "old"}, 100, 4)])
def test_burst_beyond_the_bucket_is_throttled_over_http(start_sim, options, burst, refill):
    """With scenario time frozen, the call after the burst gets HTTP 400 ThrottlingException 'Rate
    exceeded' (retries off); one scenario second gives the refill back. Default: the current quota."""
    sim = start_sim(ONE_TASK, throttling=True, clock=FakeTime(), **options)
    client = make_client(sim.url)
    for _ in range(burst):
        client.describe_replication_tasks(WithoutSettings=True)
    with pytest.raises(ClientError) as excinfo:
        client.describe_replication_tasks(WithoutSettings=True)
    assert error_code(excinfo) == "ThrottlingException"
    assert excinfo.value.response["Error"]["Message"] == "Rate exceeded"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    counters = sim.counters()
    assert counters["calls"] == {"DescribeReplicationTasks": burst + 1}
    assert counters["throttled"] == {"DescribeReplicationTasks": 1} and counters["errors"] == {}
    sim.advance(1)
    for _ in range(refill):
        client.describe_replication_tasks(WithoutSettings=True)
    with pytest.raises(ClientError):
        client.describe_replication_tasks(WithoutSettings=True)


def test_serverless_operations_share_the_bucket_with_task_operations(start_sim):
    """DescribeReplications, DescribeReplicationConfigs, DescribeReplicationTableStatistics and
    ReloadReplicationTables take their tokens from the same bucket as DescribeTableStatistics."""
    scenario = Scenario.from_dict(
        {"tasks": [{"id": "solo"}], "replications": [{"id": "sl", "tables": [{"schema": "s", "name": "t"}]}]}
    )
    sim = start_sim(scenario, throttling=True, bucket_capacity=5, bucket_refill=0.0)
    client = make_client(sim.url)
    arn = scenario.replications[0].arn
    client.describe_table_statistics(ReplicationTaskArn=scenario.tasks[0].arn)
    client.describe_replications()
    client.describe_replication_configs()
    client.describe_replication_table_statistics(ReplicationConfigArn=arn)
    client.reload_replication_tables(
        ReplicationConfigArn=arn,
        TablesToReload=[{"SchemaName": "s", "TableName": "t"}],
        ReloadOption="validate-only",
    )
    with pytest.raises(ClientError) as excinfo:
        client.describe_replications()
    assert error_code(excinfo) == "ThrottlingException"
    assert sim.counters()["throttled"] == {"DescribeReplications": 1}


def test_every_operation_shares_the_bucket(start_sim):
    """Any operation, even an unknown or failing one, costs a token."""
    sim = start_sim(ONE_TASK, throttling=True, bucket_capacity=3, bucket_refill=0.0)
    client = make_client(sim.url)
    with pytest.raises(client.exceptions.ResourceNotFoundFault):
        client.describe_table_statistics(ReplicationTaskArn="arn:aws:dms:eu-west-1:123456789012:task:X")
    client.describe_replication_tasks()
    with pytest.raises(client.exceptions.InvalidResourceStateFault):
        client.start_replication_task(
            ReplicationTaskArn=ONE_TASK.tasks[0].arn, StartReplicationTaskType="start-replication"
        )
    with pytest.raises(ClientError) as excinfo:
        client.describe_replication_tasks()
    assert error_code(excinfo) == "ThrottlingException"


def test_large_time_scale_refills_fast_enough(start_sim):
    """At time_scale 1000 the old quota's bucket refills 4,000/s, so a 150-call burst passes."""
    sim = start_sim(ONE_TASK, throttling=True, time_scale=1000, quota="old")
    client = make_client(sim.url)
    for _ in range(150):
        client.describe_replication_tasks(WithoutSettings=True)
    assert sim.counters()["throttled"] == {}


def test_throttling_can_be_switched_off_and_reshaped(start_sim):
    """throttling=False serves any burst; set_throttling() changes capacity and refill at runtime."""
    sim = start_sim(ONE_TASK, throttling=False)
    client = make_client(sim.url)
    for _ in range(120):
        client.describe_replication_tasks(WithoutSettings=True)
    sim.set_throttling(enabled=True, capacity=2, refill=0)
    client.describe_replication_tasks()
    client.describe_replication_tasks()
    with pytest.raises(ClientError):
        client.describe_replication_tasks()
    assert sim.tokens() == 0
