"""Prometheus metrics: DMS calls counted from botocore's events, sweeps, verdicts, deliveries, outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from prometheus_client.parser import text_string_to_metric_families

from bot.core.models import Report, TaskError
from bot.deliver.deliverer import Deliverer
from bot.ops.metrics import Metrics, instrument_dms
from bot.settings import WebhookSettings
from bot.sim import FaultRule, SimServer, build_fleet
from bot.store.sql import SqlStore

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
STATS = "DescribeTableStatistics"


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every exported sample by (name, sorted labels), parsed back from the exposition text."""
    found = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def dms_client(url: str, attempts: int = 3) -> Any:
    config = Config(
        retries={"mode": "standard", "total_max_attempts": attempts}, connect_timeout=1, read_timeout=2
    )
    return boto3.client(
        "dms",
        endpoint_url=url,
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def test_dms_calls_are_counted_by_operation_and_outcome(start_sim) -> None:
    """Calls count once after retries; every throttled attempt counts as a throttle; errors by class."""
    sim: SimServer = start_sim(build_fleet(2, 3))
    metrics = Metrics()
    client = dms_client(sim.url)
    instrument_dms(client, metrics)
    arn = client.describe_replication_tasks(WithoutSettings=True)["ReplicationTasks"][0]["ReplicationTaskArn"]
    sim.set_faults([FaultRule(kind="throttle", op=STATS, count=2)])
    client.describe_table_statistics(ReplicationTaskArn=arn)  # two throttles, then served
    sim.set_faults([FaultRule(kind="http_500", op=STATS, count=3)])
    with pytest.raises(ClientError):
        client.describe_table_statistics(ReplicationTaskArn=arn)
    got = samples(metrics)
    assert (
        got[("dms_bot_dms_calls_total", (("operation", "DescribeReplicationTasks"), ("outcome", "ok")))] == 1
    )
    assert got[("dms_bot_dms_calls_total", (("operation", STATS), ("outcome", "ok")))] == 1
    assert got[("dms_bot_dms_calls_total", (("operation", STATS), ("outcome", "server_error")))] == 1
    assert got[("dms_bot_dms_throttles_total", (("operation", STATS),))] == 2


def test_unreachable_dms_counts_as_a_network_error() -> None:
    """A connection refused (after botocore's retries) is one call with outcome network_error."""
    metrics = Metrics()
    client = dms_client("http://127.0.0.1:9", attempts=1)
    instrument_dms(client, metrics)
    with pytest.raises(EndpointConnectionError):
        client.describe_replication_tasks()
    got = samples(metrics)
    assert (
        got[
            (
                "dms_bot_dms_calls_total",
                (("operation", "DescribeReplicationTasks"), ("outcome", "network_error")),
            )
        ]
        == 1
    )


def test_sweeps_set_verdict_gauges_and_the_duration_histogram() -> None:
    """An ok sweep counts, times itself, sets tasks by verdict and the last-success timestamp."""
    metrics = Metrics()
    error = TaskError(target="t", task_id="x", error="AccessDenied", kind="AccessDeniedFault")
    metrics.observe_sweep("partial", 12.5, Report(checked_at=NOW, errors=(error,)), at=1_800_000_000)
    metrics.observe_sweep("failed", 0.2, None, at=1_800_000_100)
    got = samples(metrics)
    assert got[("dms_bot_sweeps_total", (("outcome", "partial"),))] == 1
    assert got[("dms_bot_sweeps_total", (("outcome", "failed"),))] == 1
    assert got[("dms_bot_sweep_duration_seconds_count", ())] == 2
    assert got[("dms_bot_sweep_duration_seconds_bucket", (("le", "15.0"),))] == 2
    assert got[("dms_bot_tasks", (("verdict", "error"),))] == 1
    assert got[("dms_bot_tasks", (("verdict", "ok"),))] == 0
    assert got[("dms_bot_last_successful_sweep_timestamp_seconds", ())] == 1_800_000_000


class _Slack:
    def chat_postMessage(self, **kw: object) -> dict[str, str]:
        return {"channel": str(kw["channel"]), "ts": "1.000001"}


def test_outbox_depth_age_and_deliveries_are_exported(tmp_path: Path) -> None:
    """Depth and oldest age are read at scrape time; each delivered item counts by kind."""
    store = SqlStore(tmp_path / "bot.sqlite3")
    metrics = Metrics()
    clock = [NOW]
    metrics.watch_outbox(lambda: store.outbox_stats(clock[0]))
    payload = {"channel": "C0123456789", "text": "hi", "blocks": [], "task_arn": "arn:x", "incident": 1}
    store.enqueue(destination="slack:C0123456789", kind="slack.post", payload=payload, key="k1", now=NOW)
    clock[0] = NOW + timedelta(seconds=42)
    got = samples(metrics)
    assert got[("dms_bot_outbox_depth", ())] == 1
    assert got[("dms_bot_outbox_oldest_age_seconds", ())] == 42
    deliverer = Deliverer(
        store=store,
        slack=_Slack(),
        webhook=WebhookSettings(),
        clock=lambda: clock[0],
        on_sent=lambda item: metrics.delivered(item.kind),
    )
    assert deliverer.run_once() == 1
    got = samples(metrics)
    assert got[("dms_bot_alerts_sent_total", (("kind", "post"),))] == 1
    assert got[("dms_bot_outbox_depth", ())] == 0
    store.close()
    assert ("dms_bot_outbox_depth", ()) not in samples(metrics)  # a broken store leaves the gauge out


def test_each_bot_has_its_own_registry() -> None:
    """Two Metrics in one process do not collide (no global registry)."""
    first, second = Metrics(), Metrics()
    first.delivered("webhook")
    assert samples(first)[("dms_bot_alerts_sent_total", (("kind", "webhook"),))] == 1
    assert samples(second)[("dms_bot_alerts_sent_total", (("kind", "webhook"),))] == 0
