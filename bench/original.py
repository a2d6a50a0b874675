"""The original tool's approach, for comparison: one task at a time, default page sizes, no budget.

It knew its task identifiers from its config and, for each, asked DescribeReplicationTasks with an
identifier filter, then paged DescribeTableStatistics at DMS's default MaxRecords (100). Its client
is plain boto3: botocore's default retry behaviour, no client-side rate limit.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.retries.standard import DEFAULT_MAX_ATTEMPTS

from bench.botrun import sim_session


@dataclass(frozen=True, slots=True)
class OriginalJob:
    url: str
    tasks: int


@dataclass(slots=True)
class OriginalRun:
    seconds: float
    tasks_read: int
    tables_read: int
    errors: dict[str, int]
    attempts: int  # HTTP attempts botocore made, retries included
    retry_mode: str
    max_attempts: int


def run_original(job: OriginalJob) -> OriginalRun:
    session = sim_session()
    client = session.client("dms", endpoint_url=job.url)
    attempts = Counter[str]()

    def count(event_name: str = "", **_: Any) -> None:
        attempts[event_name] += 1

    client.meta.events.register("before-send.database-migration-service", count)
    errors: Counter[str] = Counter()
    tables = tasks_read = 0
    started = time.monotonic()
    for index in range(job.tasks):
        try:
            tables += _one_task(client, f"fleet-{index + 1:04d}")
            tasks_read += 1
        except ClientError as exc:
            errors[str(exc.response.get("Error", {}).get("Code", "ClientError"))] += 1
        except BotoCoreError as exc:
            errors[type(exc).__name__] += 1
    retries = client.meta.config.retries or {}
    return OriginalRun(
        seconds=time.monotonic() - started,
        tasks_read=tasks_read,
        tables_read=tables,
        errors=dict(errors),
        attempts=sum(attempts.values()),
        retry_mode=str(retries.get("mode", "?")),
        max_attempts=int(retries.get("total_max_attempts") or DEFAULT_MAX_ATTEMPTS),
    )


def _one_task(client: Any, identifier: str) -> int:
    found = client.describe_replication_tasks(
        Filters=[{"Name": "replication-task-id", "Values": [identifier]}]
    )
    arn = found["ReplicationTasks"][0]["ReplicationTaskArn"]
    states: Counter[str] = Counter()
    for page in client.get_paginator("describe_table_statistics").paginate(ReplicationTaskArn=arn):
        states.update(str(t.get("ValidationState")) for t in page.get("TableStatistics", []))
    return sum(states.values())
