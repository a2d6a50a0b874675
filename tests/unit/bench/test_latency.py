"""Issue 12's figure: the calls a 600-task fleet's CDC-lag fetch costs."""

from __future__ import annotations

from bench.latency import latency_calls


def test_600_tasks_cost_3_get_metric_data_calls_and_1_cached_instance_call() -> None:
    """ceil(600/100) listing calls, ceil(3 instances/100) = 1 DescribeReplicationInstances on the
    first sweep and none while cached, ceil(600/250) = 3 GetMetricData on every sweep; the listing
    also asks DescribeReplications once (no DMS Serverless replication here)."""
    result = latency_calls(600)
    assert (result.instances, result.tasks_with_lag) == (3, 600)
    assert result.first_sweep == {
        "DescribeReplicationInstances": 1,
        "DescribeReplicationTasks": 6,
        "DescribeReplications": 1,
        "GetMetricData": 3,
    }
    assert result.second_sweep == {
        "DescribeReplicationTasks": 6,
        "DescribeReplications": 1,
        "GetMetricData": 3,
    }
