"""The cutover gate over real parts: the simulator (DMS and CloudWatch through boto3), SQLite in memory,
a real PostgreSQL target; what one ``assess`` costs in DMS and CloudWatch calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app.cutover import CutoverGate
from bot.app.sweeps import Sweeps
from bot.core.alerts import TaskAlert
from bot.core.models import Task
from bot.core.readiness import CheckName, CheckStatus, Readiness
from bot.core.selectors import Selection
from bot.errors import DmsError, TaskNotFound
from bot.settings import CutoverSettings, DatabaseSettings, Secret, Settings
from bot.sim import FaultRule, Scenario, SimServer
from bot.sim.model import resource_id
from bot.store.sql import SqlStore
from tests.support.inprocess import table
from tests.support.simtools import REGION, checker_for, settings_for
from tests.support.target_fixtures import FilledTarget, copy_rows

FULL_LOB = {"TargetMetadata": {"FullLobMode": True, "LimitedSizeLobMode": False}}
ACCOUNT = "123456789012"


def cdc(name: str, **spec: Any) -> dict[str, Any]:
    base = {
        "id": name,
        "migration_type": "full-load-and-cdc",
        "cdc_latency_source": "0s",
        "cdc_latency_target": "1s",
        "target_endpoint": f"{name}-target",
        "task_settings": FULL_LOB,
        "tables": [table("sales", "orders"), table("sales", "lines")],
    }
    return {**base, **spec}


SCENARIO = Scenario.from_dict(
    {
        "simulator": {"region": REGION, "account": ACCOUNT},
        "tasks": [
            cdc("ready-cdc"),
            cdc("lagging-cdc", cdc_latency_target="41s"),
            cdc(
                "archive-load",
                migration_type="full-load",
                status="stopped",
                stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED",
            ),
            cdc(
                "resync-cdc",
                tables=[table("sales", "orders", resync_state="In progress", resync_rows_attempted=3)],
            ),
        ],
        "endpoints": [
            {"id": "ready-cdc-target", "engine": "postgres", "server": "pg.internal", "port": 5432}
        ],
    }
)


def gate_for(
    sim: SimServer, settings: Settings | None = None, store: SqlStore | None = None
) -> tuple[CutoverGate, Sweeps]:
    def clock() -> datetime:
        return datetime.fromtimestamp(sim.epoch(), UTC)

    settings = settings or settings_for()
    sweeps = checker_for(sim.url, settings, clock=clock)
    gate = CutoverGate(
        sweeps, settings=CutoverSettings(checklist=("Sequences reset",)), store=store, clock=clock
    )
    return gate, sweeps


@pytest.fixture
def sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(SCENARIO)


def status(r: Readiness, name: CheckName) -> CheckStatus:
    check = r.check(name)
    assert check is not None
    return check.status


def test_a_ready_task_is_ready_and_one_assess_costs_five_dms_calls_and_one_cloudwatch_call(
    sim: SimServer,
) -> None:
    gate, _ = gate_for(sim, store=SqlStore(":memory:"))
    sim.reset_counters()
    r = gate.assess("ready-cdc")
    assert r.ready, r.blockers
    assert r.checklist == ("Sequences reset",) and r.caveats[0].startswith(
        "failed rows and apply exceptions not read"
    )
    assert status(r, CheckName.CDC_LATENCY) is CheckStatus.PASS
    counters = sim.counters()
    assert counters["calls"] == {
        "DescribeReplicationTasks": 2,  # the task by name, then its settings
        "DescribeReplications": 1,  # the name could be a DMS Serverless replication's
        "DescribeTableStatistics": 1,
        "DescribeReplicationInstances": 1,  # cached for an hour after this
    }
    assert counters["cloudwatch"] == {"GetMetricData": 1}


def test_lag_over_the_limit_blocks_until_a_whole_window_is_within_it(sim: SimServer) -> None:
    gate, _ = gate_for(sim)
    first = gate.assess("lagging-cdc")
    assert not first.ready
    assert first.blockers[0].startswith("cdc_latency: CDCLatencyTarget 41 s at ")
    sim.set_cdc_latency("lagging-cdc", source=0, target=2)  # writes frozen: the lag drains
    sim.advance(120)
    assert (
        status(gate.assess("lagging-cdc"), CheckName.CDC_LATENCY) is CheckStatus.FAIL
    )  # 41 s is still in the window
    sim.advance(300)
    assert status(gate.assess("lagging-cdc"), CheckName.CDC_LATENCY) is CheckStatus.PASS
    assert status(gate.assess("lagging-cdc", max_lag=1), CheckName.CDC_LATENCY) is CheckStatus.FAIL


def test_cloudwatch_denied_is_unknown_never_a_pass(sim: SimServer) -> None:
    gate, _ = gate_for(sim)
    sim.set_faults([FaultRule("access_denied", op="GetMetricData")])
    r = gate.assess("ready-cdc")
    check = r.check(CheckName.CDC_LATENCY)
    assert check is not None and check.status is CheckStatus.UNKNOWN and "AccessDenied" in check.detail
    assert not r.ready


def test_a_full_load_only_task_skips_the_lag_and_asks_cloudwatch_nothing(sim: SimServer) -> None:
    gate, _ = gate_for(sim)
    sim.reset_counters()
    r = gate.assess("archive-load")
    assert status(r, CheckName.TASK_RUNNING) is CheckStatus.PASS
    assert status(r, CheckName.CDC_LATENCY) is CheckStatus.SKIP
    assert sim.counters()["cloudwatch"] == {}


def test_resync_in_progress_blocks(sim: SimServer) -> None:
    gate, _ = gate_for(sim)
    r = gate.assess("resync-cdc")
    assert status(r, CheckName.RESYNC) is CheckStatus.FAIL and not r.ready


def test_an_open_alert_blocks(sim: SimServer) -> None:
    store = SqlStore(":memory:")
    gate, sweeps = gate_for(sim, store=store)
    arn = next(t.arn for _, t in sweeps.list_tasks() if t.identifier == "ready-cdc")
    opened = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    store.save_alert(
        TaskAlert(arn, "sim", "ready-cdc", open=True, summary="2 tables Mismatched records", opened_at=opened)
    )
    r = gate.assess("ready-cdc")
    assert r.blockers == (
        "no_open_incident: open alert since 2026-12-06 09:00 UTC: 2 tables Mismatched records",
    )


def test_an_unknown_task_names_close_ones(sim: SimServer) -> None:
    gate, _ = gate_for(sim)
    with pytest.raises(TaskNotFound, match=r"unknown task 'redy-cdc' \(did you mean ready-cdc"):
        gate.assess("redy-cdc")


def test_dms_unreachable_is_a_dms_error() -> None:
    settings = settings_for(max_attempts=1)
    sweeps = checker_for("http://127.0.0.1:9", settings)
    gate = CutoverGate(sweeps, settings=CutoverSettings(), store=None, clock=lambda: datetime.now(UTC))
    with pytest.raises(DmsError, match="cannot reach DMS"):
        gate.assess("ready-cdc")


@pytest.mark.slow
def test_failed_rows_count_only_after_the_last_revalidation_the_bot_knows_of(
    sim: SimServer, postgres_target: FilledTarget
) -> None:
    """The fixture's rows fall between 09:01 and 09:17 on 2026-11-26; a revalidation at 09:16 leaves one."""
    copy_rows(postgres_target, resource_id("task", "ready-cdc", REGION, ACCOUNT))
    url = postgres_target.url.render_as_string(hide_password=False)
    settings = replace(
        settings_for(), databases=(DatabaseSettings(endpoint="ready-cdc-target", url=Secret(url)),)
    )
    store = SqlStore(":memory:")
    gate, sweeps = gate_for(sim, settings, store=store)
    sim.reset_counters()
    before = gate.assess("ready-cdc")
    assert sim.counters()["calls"] == {
        "DescribeReplicationTasks": 2,
        "DescribeReplications": 1,
        "DescribeTableStatistics": 1,
        "DescribeReplicationInstances": 1,
        "DescribeEndpoints": 1,  # with a database configured: where the target is
    }
    check = before.check(CheckName.FAILED_ROWS)
    assert (
        check is not None
        and check.status is CheckStatus.FAIL
        and check.detail.startswith("15 failed rows in awsdms_validation_failures_v1")
    )
    assert check.detail.endswith(
        "(every row: no revalidation the bot knows of, and no --since), newest 2026-11-26 09:17 UTC"
    )
    assert "no awsdms_validation_failures_v2 readable" in " ".join(before.caveats)
    assert status(before, CheckName.APPLY_EXCEPTIONS) is CheckStatus.SKIP
    arn = next(t.arn for _, t in sweeps.list_tasks() if t.identifier == "ready-cdc")
    revalidated = datetime(2026, 11, 26, 9, 16, 30, tzinfo=UTC)
    store.add_audit(
        at=revalidated, user_id="U0OPERATOR", action="revalidate", task_arn=arn, detail="2 tables, 1 requests"
    )
    after = gate.assess("ready-cdc").check(CheckName.FAILED_ROWS)
    assert after is not None and after.detail.startswith(
        "1 failed row in awsdms_validation_failures_v1 after 2026-11-26 09:16 UTC (the revalidation by U0OPERATOR"
    )
    since = gate.assess("ready-cdc", since=revalidated + timedelta(minutes=5)).check(CheckName.FAILED_ROWS)
    assert (
        since is not None
        and since.status is CheckStatus.PASS
        and "(the write freeze, --since)" in since.detail
    )
    earlier = gate.assess("ready-cdc", since=revalidated - timedelta(hours=1)).check(CheckName.FAILED_ROWS)
    assert (
        earlier is not None and "(the revalidation by U0OPERATOR" in earlier.detail
    )  # the later cutoff wins
    if sweeps.failed_rows is not None:
        sweeps.failed_rows.close()


def test_a_serverless_replications_settings_come_from_its_config_in_one_call(
    start_sim: Callable[..., SimServer],
) -> None:
    on, off = (
        {"id": name, "validation": flag, "tables": [table("s", "t")]}
        for name, flag in (("on-sl", True), ("off-sl", False))
    )
    sim = start_sim(
        Scenario.from_dict({"simulator": {"region": REGION, "account": ACCOUNT}, "replications": [on, off]})
    )
    gate, sweeps = gate_for(sim)
    watched = sweeps.watched[0]
    by_id = {t.identifier: t for t in watched.gateway.list_tasks(Selection())}
    sim.reset_counters()
    assert gate._settings(watched, by_id["on-sl"]).validation_enabled is True
    assert sim.counters()["calls"] == {"DescribeReplicationConfigs": 1}
    assert gate._settings(watched, by_id["off-sl"]).validation_enabled is False
    missing = Task("gone-sl", f"arn:aws:dms:{REGION}:{ACCOUNT}:replication-config:GONE", "running")
    with pytest.raises(TaskNotFound):
        gate._settings(watched, missing)
