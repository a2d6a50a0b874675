"""``dms-bot ready`` end to end: a subprocess against the simulator (DMS and CloudWatch), the way a
runbook or a CI/CD pipeline calls it: exit 0 ready, 1 not ready, 2 cannot judge, one stderr line."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sim import Scenario, SimServer
from tests.support.cli_process import assert_one_line_error, aws_env, run_bot
from tests.support.inprocess import table
from tests.support.serve_process import write_config
from tests.support.simtools import REGION

FULL_LOB = {"TargetMetadata": {"FullLobMode": True, "LimitedSizeLobMode": False}}
SCENARIO = {
    "simulator": {"region": REGION},
    "tasks": [
        {
            "id": "orders-cdc",
            "migration_type": "full-load-and-cdc",
            "cdc_latency_source": "0s",
            "cdc_latency_target": "1s",
            "task_settings": FULL_LOB,
            "target_endpoint": "orders-target",
            "tables": [table("sales", "orders"), table("sales", "lines")],
        },
        {
            "id": "billing-cdc",
            "migration_type": "full-load-and-cdc",
            "cdc_latency_source": "2s",
            "cdc_latency_target": "41s",
            "tables": [
                table("billing", "invoices", validation_state="Mismatched records", failed_records=12)
            ],
        },
    ],
    "endpoints": [
        {"id": "orders-target", "engine": "postgres", "server": "orders-db.internal", "port": 5432}
    ],
}
CHECKLIST = ["Sequences reset on the target", "Triggers and foreign keys enabled"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def ready(start_sim: Callable[..., SimServer], tmp_path: Path) -> Callable[..., Any]:
    sim = start_sim(Scenario.from_dict(SCENARIO))
    config = write_config(
        tmp_path / "bot.toml", cutover={"max_lag": "5s", "steady": "5m", "checklist": CHECKLIST}
    )

    def run(*args: str, env: dict[str, str] | None = None, config_path: Path = config) -> Any:
        return run_bot(
            "ready", *args, "--config", str(config_path), env={**aws_env(sim), **(env or {})}, cwd=tmp_path
        )

    return run


def test_a_ready_task_exits_0_with_every_check_and_the_checklist(ready: Callable[..., Any]) -> None:
    result = ready("orders-cdc")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("orders-cdc: READY to cut over · checked ")
    assert (
        "✓ cdc_latency         CDCLatencySource ≤ 0 s, CDCLatencyTarget ≤ 1 s over the last 5m"
        in result.stdout
    )
    assert "\u2013 failed_rows         not read: no [[databases]] entry" in result.stdout
    assert "  [ ] Sequences reset on the target" in result.stdout and "Blockers" not in result.stdout
    assert result.stderr == ""


def test_a_task_that_is_not_ready_exits_1_and_names_its_blockers(ready: Callable[..., Any]) -> None:
    result = ready("billing-cdc")
    assert result.returncode == 1, result.stderr
    assert "billing-cdc: NOT READY (2 blockers)" in result.stdout
    assert "✗ cdc_latency         CDCLatencyTarget 41 s at " in result.stdout
    assert "  - validation_complete: 0 of 1 tables Validated; 12 failed" in result.stdout
    assert "LOBs not fully validated: limited LOB mode of 32 KB" in result.stdout  # the simulator's default


def test_json_is_the_ready_document(ready: Callable[..., Any]) -> None:
    result = ready("billing-cdc", "--format", "json", "--max-lag", "1m")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "task_id",
        "task_arn",
        "kind",
        "ready",
        "checked_at",
        "checks",
        "blockers",
        "caveats",
        "checklist",
    ]
    assert (doc["task_id"], doc["kind"], doc["ready"], doc["checklist"]) == (
        "billing-cdc",
        "task",
        False,
        CHECKLIST,
    )
    checks = {c["name"]: c["status"] for c in doc["checks"]}
    assert checks["cdc_latency"] == "pass"  # 41 s is within --max-lag 1m
    assert checks["validation_complete"] == "fail" and doc["blockers"] == [
        next(
            f"validation_complete: {c['detail']}" for c in doc["checks"] if c["name"] == "validation_complete"
        )
    ]


def test_an_unknown_task_cannot_be_judged_and_names_close_ones(ready: Callable[..., Any]) -> None:
    assert_one_line_error(ready("orders-cd"), "unknown task 'orders-cd'", "did you mean orders-cdc")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("orders-cdc", "--max-lag", "soon"), "argument --max-lag: expected a duration"),
        (("orders-cdc", "--steady", "30s"), "expected at least 1m"),
        (("orders-cdc", "--since", "tomorrow"), "expected a time like 2026-12-06T09:00Z"),
        (("orders-cdc", "--since", "2999-01-01T00:00Z"), "is in the future"),
        (("orders-cdc", "--frobnicate"), "unrecognized arguments: --frobnicate"),
        ((), "the following arguments are required: TASK"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    ready: Callable[..., Any], args: tuple[str, ...], words: str
) -> None:
    assert_one_line_error(ready(*args), words)


def test_dms_unreachable_cannot_be_judged(ready: Callable[..., Any]) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    result = ready(
        "orders-cdc", env={"AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": down, "AWS_MAX_ATTEMPTS": "1"}
    )
    assert_one_line_error(result, "cannot reach DMS")


def test_a_store_that_cannot_be_read_makes_the_incident_check_unknown(ready: Callable[..., Any]) -> None:
    down = f"postgresql://bot:S3cret-pw@127.0.0.1:{closed_port()}/bot"
    result = ready("orders-cdc", "--format", "json", env={"DMS_BOT_DB": down})
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    incident = next(c for c in doc["checks"] if c["name"] == "no_open_incident")
    assert incident["status"] == "unknown" and "S3cret-pw" not in result.stdout + result.stderr


def test_a_store_here_is_read(ready: Callable[..., Any], tmp_path: Path) -> None:
    from bot.store.sql import SqlStore

    SqlStore(tmp_path / "dms-bot.sqlite3").close()  # what serve leaves behind, in the working directory
    result = ready("orders-cdc", "--format", "json")
    doc = json.loads(result.stdout)
    assert next(c for c in doc["checks"] if c["name"] == "no_open_incident") == {
        "name": "no_open_incident",
        "status": "pass",
        "detail": "no open alert",
    }


def test_a_target_database_that_is_down_makes_its_checks_unknown(
    ready: Callable[..., Any], tmp_path: Path
) -> None:
    down = f"postgresql://reader:S3cret-pw@127.0.0.1:{closed_port()}/orders"
    config = write_config(tmp_path / "db.toml", databases=[{"endpoint": "orders-target", "url": down}])
    result = ready("orders-cdc", config_path=config)
    assert result.returncode == 1, result.stderr
    assert "? failed_rows         endpoint orders-target (127.0.0.1:" in result.stdout
    assert "cannot connect (connection refused: is the database up and the port right?)" in result.stdout
    assert "? apply_exceptions    endpoint orders-target" in result.stdout
    assert "S3cret-pw" not in result.stdout + result.stderr
