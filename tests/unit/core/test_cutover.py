"""The cutover gate's checks, table-driven: every check's pass, fail, unknown and skip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.cutover import (
    ControlRows,
    Cutoff,
    IncidentState,
    LatencyWindow,
    TargetRows,
    cdc_latency,
    full_load_complete,
    tables_healthy,
    task_running,
    validation_complete,
)
from bot.core.cutover_gate import (
    GateInputs,
    apply_exceptions,
    caveats,
    failed_rows,
    judge,
    no_open_incident,
    resync,
)
from bot.core.models import Resync, TableStats, Task
from bot.core.readiness import CheckName, CheckStatus
from bot.core.task_settings import TaskSettings

NOW = datetime(2026, 12, 6, 9, 12, tzinfo=UTC)
ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABC"
P, F, U, S = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.UNKNOWN, CheckStatus.SKIP


def task(status: str = "running", mtype: str = "full-load-and-cdc", **kw: str | None) -> Task:
    return Task("orders-cdc", ARN, status, mtype, **kw)  # type: ignore[arg-type]


def table(
    name: str = "orders", *, state: str | None = "Table completed", v: str | None = "Validated", **kw: object
) -> TableStats:
    return TableStats("sales", name, state, v, **kw)  # type: ignore[arg-type]


def points(
    *values: float, start: datetime = NOW - timedelta(minutes=5)
) -> tuple[tuple[datetime, float], ...]:
    return tuple((start + timedelta(minutes=i), float(v)) for i, v in enumerate(values))


@pytest.mark.parametrize(
    ("t", "status", "words"),
    [
        (task(), P, "running"),
        (task(mtype="cdc"), P, "in CDC"),
        (task("stopped", stop_reason="Stop Reason NORMAL"), F, "stopped (Stop Reason NORMAL)"),
        (task("failed", last_failure_message="boom"), F, "boom"),
        (task("running", last_failure_message="Last Error"), F, "Last Error"),
        (task("stopped", "full-load", stop_reason="Stop Reason FULL_LOAD_ONLY_FINISHED"), P, "finished"),
        (task("running", "full-load"), F, "not finished"),
        (task("unknown"), U, "did not say"),
        (task(mtype=""), U, "did not say"),
    ],
)
def test_task_running(t: Task, status: CheckStatus, words: str) -> None:
    check = task_running(t)
    assert (check.name, check.status) == (CheckName.TASK_RUNNING, status)
    assert words in check.detail


@pytest.mark.parametrize(
    ("t", "tables", "status", "words"),
    [
        (task(), [table(), table("lines")], P, "2 of 2 tables Table completed"),
        (
            task(),
            [table(), table("lines", state="Full load")],
            F,
            "1 of 2 tables not completed: sales.lines (Full load)",
        ),
        (task(), [table(state=None)], U, "no TableState for sales.orders"),
        (task(), [], U, "no table"),
        (task(mtype="cdc"), [table(state="Before load")], S, "CDC-only"),
    ],
)
def test_full_load_complete(t: Task, tables: list[TableStats], status: CheckStatus, words: str) -> None:
    check = full_load_complete(t, tables)
    assert check.status is status and words in check.detail


def test_full_load_names_three_tables_then_counts_the_rest() -> None:
    tables = [table(f"t{i}", state="Before load") for i in range(5)]
    assert full_load_complete(task(), tables).detail.endswith("and 2 more")


@pytest.mark.parametrize(
    ("tables", "status", "words"),
    [
        ([table(), table("b")], P, "2 tables"),
        ([table(), table("b", state="Table error")], F, "1 table unhealthy: sales.b (Table error)"),
        ([table(state="Table cancelled"), table("b", state="Table does not exist")], F, "2 tables unhealthy"),
        ([table(state="Table is being reloaded")], F, "reloaded"),
        ([table(state="Before load")], F, "Before load"),
        ([], U, "no table"),
    ],
)
def test_tables_healthy(tables: list[TableStats], status: CheckStatus, words: str) -> None:
    check = tables_healthy(tables)
    assert check.status is status and words in check.detail


ON, OFF, UNSAID = (
    TaskSettings(validation_enabled=True),
    TaskSettings(validation_enabled=False),
    TaskSettings(),
)


@pytest.mark.parametrize(
    ("tables", "settings", "status", "words"),
    [
        ([table(), table("b")], ON, P, "2 of 2 tables Validated, 0 failed"),
        ([table(), table("b")], UNSAID, P, "2 of 2 tables Validated"),
        ([table()], OFF, F, "nothing vouches for the data"),
        ([table(v="Not enabled")], UNSAID, F, "not enabled"),
        (
            [table(), table("b", v="Mismatched records", failed_records=12)],
            ON,
            F,
            "1 of 2 tables Validated; 12 failed",
        ),
        ([table(v="Pending records", pending_records=3)], ON, F, "3 pending"),
        ([table(suspended_records=1)], ON, F, "1 suspended"),  # Validated, but a record is suspended
        ([table(counts_unreadable=True)], ON, U, "cannot read"),
        ([], ON, U, "no table"),
    ],
)
def test_validation_complete(
    tables: list[TableStats], settings: TaskSettings, status: CheckStatus, words: str
) -> None:
    check = validation_complete(tables, settings)
    assert check.status is status and words in check.detail


@pytest.mark.parametrize(
    ("t", "window", "status", "words"),
    [
        (
            task(),
            LatencyWindow(points(0, 1, 0, 2, 1), points(1, 2, 3, 2, 1), expected=5),
            P,
            "CDCLatencySource ≤ 2 s, CDCLatencyTarget ≤ 3 s",
        ),
        (
            task(),
            LatencyWindow(points(0, 1, 5, 2, 1), points(1, 5, 3, 2, 1), expected=5),
            P,
            "limit 5 s",
        ),  # at the limit passes
        (
            task(),
            LatencyWindow(points(0, 0, 0, 0, 0), points(1, 41, 41, 3, 2), expected=5),
            F,
            "CDCLatencyTarget 41 s at 09:09 > 5 s (2 of 10 datapoints over)",
        ),
        (
            task(),
            LatencyWindow(points(9, 0, 0, 0, 0), points(1, 1, 1, 1, 1), expected=5),
            F,
            "CDCLatencySource 9 s at 09:07",
        ),
        (
            task(),
            LatencyWindow((), points(1, 1, 1), expected=5),
            U,
            "no CDCLatencySource datapoints in the last 5m",
        ),
        (task(), LatencyWindow(points(1, 1, 1), (), expected=5), U, "no CDCLatencyTarget"),
        (
            task(),
            LatencyWindow(points(1, 1), points(1, 1), expected=5),
            U,
            "only 2 CDCLatencySource datapoints",
        ),
        (task(), LatencyWindow(error="CDC lag could not be read: AccessDenied"), U, "AccessDenied"),
        (task("stopped", "full-load"), LatencyWindow(), S, "full-load-only"),
    ],
)
def test_cdc_latency(t: Task, window: LatencyWindow, status: CheckStatus, words: str) -> None:
    check = cdc_latency(t, window, max_lag=5, steady=300)
    assert check.status is status and words in check.detail, check.detail


FREEZE = Cutoff(NOW - timedelta(minutes=30), "the write freeze, --since")
NEWEST = NOW - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("rows", "cutoff", "status", "words"),
    [
        (TargetRows(failures=ControlRows(0, read=("v1", "v2"))), Cutoff(), P, "0 failed rows in v1 + v2"),
        (
            TargetRows(failures=ControlRows(0, read=("v1",), fixed_by_resync=2)),
            FREEZE,
            P,
            "after 2026-12-06 08:42 UTC (the write freeze, --since) (2 fixed by resync not counted)",
        ),
        (
            TargetRows(failures=ControlRows(3, NEWEST, ("v1", "v2"))),
            FREEZE,
            F,
            "3 failed rows in v1 + v2 after 2026-12-06 08:42 UTC (the write freeze, --since), newest 2026-12-06 09:02 UTC",
        ),
        (TargetRows(error="endpoint t (db:5432): cannot connect"), Cutoff(), U, "cannot connect"),
        (
            TargetRows(not_configured="no database configured for endpoint t"),
            Cutoff(),
            S,
            "not read: no database",
        ),
        (TargetRows(absent=("v1", "v2")), Cutoff(), S, "the target has no"),
    ],
)
def test_failed_rows(rows: TargetRows, cutoff: Cutoff, status: CheckStatus, words: str) -> None:
    check = failed_rows(rows, cutoff)
    assert check.status is status and words in check.detail, check.detail


@pytest.mark.parametrize(
    ("rows", "status", "words"),
    [
        (
            TargetRows(failures=ControlRows(0), exceptions=ControlRows(0, read=("awsdms_apply_exceptions",))),
            P,
            "0 apply exceptions",
        ),
        (
            TargetRows(
                failures=ControlRows(0), exceptions=ControlRows(2, NEWEST, ("awsdms_apply_exceptions",))
            ),
            F,
            "2 apply exceptions",
        ),
        (
            TargetRows(failures=ControlRows(0), absent=("awsdms_apply_exceptions",)),
            S,
            "no awsdms_apply_exceptions",
        ),
        (TargetRows(error="denied"), U, "denied"),
        (TargetRows(not_configured="no database"), S, "no database"),
    ],
)
def test_apply_exceptions(rows: TargetRows, status: CheckStatus, words: str) -> None:
    check = apply_exceptions(rows, Cutoff())
    assert check.status is status and words in check.detail, check.detail


def resynced(state: str, failed: int = 0, fixed: int = 0) -> TableStats:
    return table(
        resync=Resync(state, rows_attempted=failed + fixed, rows_succeeded=fixed, rows_failed=failed)
    )


@pytest.mark.parametrize(
    ("tables", "settings", "status", "words"),
    [
        (
            [resynced("Last resync at: 2026-12-06T06:00:00Z", fixed=995)],
            TaskSettings(resync_enabled=True),
            P,
            "995 rows fixed, 0 failed",
        ),
        ([resynced("Pending")], TaskSettings(), F, "resync running on 1 table"),
        ([resynced("In progress"), resynced("In progress")], TaskSettings(), F, "2 tables"),
        (
            [resynced("Last resync at: x", failed=5, fixed=995)],
            TaskSettings(),
            F,
            "5 rows failed to resync on sales.orders",
        ),
        ([table()], TaskSettings(resync_enabled=True), U, "DMS reports no Resync state"),
        ([table()], TaskSettings(), S, "not enabled"),
        ([resynced("Not enabled")], TaskSettings(resync_enabled=False), S, "not enabled"),
    ],
)
def test_resync(tables: list[TableStats], settings: TaskSettings, status: CheckStatus, words: str) -> None:
    check = resync(tables, settings)
    assert check.status is status and words in check.detail, check.detail


@pytest.mark.parametrize(
    ("incident", "status", "words"),
    [
        (IncidentState(known=True), P, "no open alert"),
        (
            IncidentState(known=True, open=True, summary="2 tables Mismatched records", since=NEWEST),
            F,
            "open alert since 2026-12-06 09:02 UTC: 2 tables Mismatched records",
        ),
        (IncidentState(known=False, why_unknown="database is locked"), U, "locked"),
        (IncidentState(known=False, absent=True, why_unknown="no store here"), S, "no store here"),
    ],
)
def test_no_open_incident(incident: IncidentState, status: CheckStatus, words: str) -> None:
    check = no_open_incident(incident)
    assert check.status is status and words in check.detail


def inputs(**kw: object) -> GateInputs:
    values: dict[str, object] = dict(
        task=task(),
        tables=(table(),),
        settings=TaskSettings(validation_enabled=True),
        latency=LatencyWindow(points(0, 0, 0, 0, 0), points(1, 1, 1, 1, 1), expected=5),
        rows=TargetRows(failures=ControlRows(0, read=("v1",)), exceptions=ControlRows(0)),
        incident=IncidentState(known=True),
    )
    values.update(kw)
    return GateInputs(**values)  # type: ignore[arg-type]


def test_judge_is_ready_with_every_check_in_the_stable_order() -> None:
    r = judge(inputs(), now=NOW, checklist=["Sequences reset"])
    assert r.ready and [c.name for c in r.checks] == list(CheckName)
    assert r.checklist == ("Sequences reset",) and r.caveats == ()


def test_missing_data_is_never_ready() -> None:
    r = judge(inputs(latency=LatencyWindow(expected=5)), now=NOW)
    assert not r.ready and r.blockers == ("cdc_latency: no CDCLatencySource datapoints in the last 5m",)


def test_caveats_name_what_the_gate_could_not_see() -> None:
    seen = caveats(
        inputs(
            rows=TargetRows(not_configured="no database configured for endpoint t"),
            settings=TaskSettings(validation_enabled=True, lob_caveat="limited LOB mode of 32 KB"),
            incident=IncidentState(known=False, absent=True, why_unknown="no store here"),
        )
    )
    assert seen == (
        "failed rows and apply exceptions not read: no database configured for endpoint t",
        "LOBs not fully validated: limited LOB mode of 32 KB",
        "the bot's open alerts not read: no store here",
    )
    absent = caveats(
        inputs(rows=TargetRows(failures=ControlRows(0), absent=("awsdms_validation_failures_v2",)))
    )
    assert absent == (
        "no awsdms_validation_failures_v2 readable on the target (absent, or not granted on MySQL): not checked",
    )
    assert (
        "task settings not read"
        in caveats(inputs(settings=TaskSettings(unreadable="DMS sent no task settings")))[0]
    )
