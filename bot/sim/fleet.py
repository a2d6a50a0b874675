"""Synthetic fleets for benchmarks and tests: N tasks x M tables, a seeded fraction of them unhealthy."""

from __future__ import annotations

import random
from dataclasses import replace

from bot.sim.model import GenBlock, Scenario, TableSet, TableSpec, TaskSpec, dms_arn
from bot.sim.serverless import fleet_replication

TASKS_PER_INSTANCE = 200  # the DMS quota of tasks per replication instance
_HEALTHY = TableSpec(validation_state="Validated")
_PROBLEMS = (
    TableSpec(validation_state="Mismatched records", failed_records=12),
    TableSpec(validation_state="Suspended records", suspended_records=3),
    TableSpec(validation_state="Table error", table_state="Table error"),
    TableSpec(validation_state="Error", details="Validation failed to query the target database"),
    TableSpec(validation_state="No primary key"),
)


def build_fleet(
    tasks: int,
    tables: int,
    *,
    problems: float = 0.0,
    seed: int = 0,
    region: str = "eu-west-1",
    account: str = "123456789012",
    cdc_latency: tuple[float | None, float | None] = (None, None),
    replications: int = 0,
) -> Scenario:
    """``tasks`` running tasks of ``tables`` tables each; ``problems`` is the unhealthy table fraction.

    Tables are generated lazily (one template per task plus sparse overrides), so 600 x 300 or
    50 x 5,000 costs milliseconds and almost no memory. ``cdc_latency`` is every task's
    (CDCLatencySource, CDCLatencyTarget) in seconds; None = no CloudWatch datapoints. ``replications``
    running DMS Serverless replications (``fleet-sl-0001``...) of ``tables`` tables each come after
    the tasks, sharing the same problem sampling.
    """
    if tasks < 0 or tables < 0 or replications < 0:
        raise ValueError("tasks, tables and replications must be >= 0")
    if not 0.0 <= problems <= 1.0:
        raise ValueError("problems is a fraction between 0 and 1")
    rng = random.Random(seed)
    overrides: list[dict[int, TableSpec]] = [{} for _ in range(tasks + replications)]
    everything = (tasks + replications) * tables
    for flat in rng.sample(range(everything), round(everything * problems)):
        task_index, table_index = divmod(flat, tables)
        overrides[task_index][table_index] = rng.choice(_PROBLEMS)
    specs = tuple(
        replace(
            _task(i, tables, overrides[i], region, account),
            cdc_latency_source=cdc_latency[0],
            cdc_latency_target=cdc_latency[1],
        )
        for i in range(tasks)
    )
    serverless = tuple(
        fleet_replication(
            i,
            GenBlock(tables, f"sl_schema_{i % 10}", "table_", _HEALTHY, overrides[tasks + i]),
            region,
            account,
            cdc_latency=cdc_latency,
        )
        for i in range(replications)
    )
    plus = f" + {replications} serverless" if replications else ""
    source = f"<fleet {tasks}x{tables}{plus} problems={problems} seed={seed}>"
    return Scenario(specs, region, account, source=source, replications=serverless)


def _task(index: int, tables: int, overrides: dict[int, TableSpec], region: str, account: str) -> TaskSpec:
    ident = f"fleet-{index + 1:04d}"
    block = GenBlock(tables, f"schema_{index % 10}", "table_", _HEALTHY, overrides)
    instance = f"fleet-instance-{index // TASKS_PER_INSTANCE + 1}"
    return TaskSpec(
        identifier=ident,
        arn=dms_arn("task", ident, region, account),
        migration_type="cdc" if index % 2 == 0 else "full-load-and-cdc",
        status="running",
        validation=True,
        tables=TableSet([block]),
        source_endpoint_arn=dms_arn("endpoint", f"{ident}-source", region, account),
        target_endpoint_arn=dms_arn("endpoint", f"{ident}-target", region, account),
        replication_instance_arn=dms_arn("rep", instance, region, account),
        replication_instance_id=instance,
    )
