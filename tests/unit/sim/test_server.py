"""SimServer lifecycle and options: context manager, stop, latency, counters."""

from __future__ import annotations

import socket
import struct
import time

import pytest
from botocore.exceptions import EndpointConnectionError, HTTPClientError

from bot.sim import Scenario, SimServer
from tests.support.sim_helpers import make_client

ONE_TASK = Scenario.from_dict({"tasks": [{"id": "solo", "generate": [{"count": 3, "schema": "s"}]}]})


def test_context_manager_serves_and_stop_really_stops():
    """`with SimServer(...)` serves on a loopback port; after exit even keep-alive connections fail."""
    with SimServer(ONE_TASK, throttling=False) as sim:
        assert sim.url.startswith("http://127.0.0.1:") and sim.port > 0
        client = make_client(sim.url)
        assert client.describe_replication_tasks()["ReplicationTasks"]
        assert sim.start() is sim  # idempotent
    with pytest.raises((EndpointConnectionError, HTTPClientError)):
        client.describe_replication_tasks()
    sim.stop()  # twice is fine


def test_latency_per_operation(start_sim):
    """A latency mapping delays only the named operations (real seconds)."""
    sim = start_sim(ONE_TASK, latency={"DescribeTableStatistics": 1.0})
    client = make_client(sim.url)
    began = time.perf_counter()
    client.describe_replication_tasks()
    assert time.perf_counter() - began < 0.8  # undelayed; the margin is for a busy machine
    began = time.perf_counter()
    client.describe_table_statistics(ReplicationTaskArn=ONE_TASK.tasks[0].arn)
    assert time.perf_counter() - began >= 1.0


def test_constant_latency_applies_to_every_call(start_sim):
    """A number delays every call by that many seconds."""
    sim = start_sim(ONE_TASK, latency=0.1)
    client = make_client(sim.url)
    began = time.perf_counter()
    client.describe_replication_tasks()
    assert time.perf_counter() - began >= 0.1


def test_counters_count_calls_errors_and_total(start_sim):
    """calls counts every request per op; errors counts error answers; total_calls sums calls."""
    sim = start_sim(ONE_TASK)
    client = make_client(sim.url)
    client.describe_replication_tasks()
    with pytest.raises(client.exceptions.ResourceNotFoundFault):
        client.stop_replication_task(ReplicationTaskArn="arn:aws:dms:eu-west-1:123456789012:task:GONE")
    assert sim.counters() == {
        "calls": {"DescribeReplicationTasks": 1, "StopReplicationTask": 1},
        "throttled": {},
        "errors": {"StopReplicationTask": 1},
        "cloudwatch": {},
        "cloudwatch_errors": {},
    }
    assert sim.total_calls() == 2
    sim.reset_counters()
    assert sim.total_calls() == 0


def test_time_scale_speeds_up_the_timeline(start_sim):
    """At time_scale 600, one real tenth of a second is a scenario minute."""
    sim = start_sim(ONE_TASK, time_scale=600)
    time.sleep(0.1)
    assert sim.now() >= 60


def test_delete_task_helper(start_sim):
    """sim.delete_task() makes a task vanish from listings and lookups."""
    sim = start_sim(ONE_TASK)
    client = make_client(sim.url)
    assert sim.delete_task("solo") and not sim.delete_task("ghost")
    assert client.describe_replication_tasks()["ReplicationTasks"] == []
    with pytest.raises(client.exceptions.ResourceNotFoundFault):
        client.describe_table_statistics(ReplicationTaskArn=ONE_TASK.tasks[0].arn)


def test_a_client_hanging_up_before_its_answer_is_not_a_traceback(start_sim, capfd):
    """A timed-out or killed client is everyday life for a server: nothing on stderr, still serving."""
    sim = start_sim(ONE_TASK, latency={"DescribeReplicationTasks": 0.3})
    body = b"{}"
    request = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Target: AmazonDMSv20160101.DescribeReplicationTasks\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", sim.port)) as conn:
            conn.sendall(request)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # hang up with RST
    time.sleep(0.6)  # the simulator answers into the closed connections
    assert make_client(sim.url).describe_replication_tasks()["ReplicationTasks"]
    assert sim.counters()["calls"]["DescribeReplicationTasks"] == 4
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err
