"""The command line as users and cron run it: subprocesses, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.sim import DEMO_SCENARIO, SimServer, build_fleet, load_scenario
from tests.support.cli_process import assert_one_line_error, aws_env, run_bot
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.simtools import REGION

Start = Callable[..., SimServer]


def test_check_json_prints_the_contract_document_and_exits_1_on_failure(start_sim: Start) -> None:
    """Against the demo scenario: the JSON report with correct verdicts, exit 1."""
    sim = start_sim(load_scenario(DEMO_SCENARIO))
    result = run_bot("check", "--format", "json", env=aws_env(sim))
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "failure"
    assert set(doc) >= {"status", "checked_at", "summary", "tasks", "errors"}
    assert doc["summary"] == {"tasks": 7, "ok": 3, "warning": 1, "failure": 3, "errors": 0}
    verdicts = {t["task_id"]: t["verdict"] for t in doc["tasks"]}
    assert verdicts == {
        "archive-full-load": "ok",
        "billing-cdc": "failure",
        "crm-cdc": "failure",
        "inventory-cdc": "ok",
        "marketing-cdc": "warning",
        "orders-cdc": "ok",
        "payments-serverless": "failure",  # the DMS Serverless replication
    }
    kinds = {t["task_id"]: t["kind"] for t in doc["tasks"]}
    assert {k for i, k in kinds.items() if i != "payments-serverless"} == {"task"}
    payments = next(t for t in doc["tasks"] if t["task_id"] == "payments-serverless")
    assert payments["kind"] == "serverless" and ":replication-config:" in payments["task_arn"]
    assert payments["cdc_latency"] == {"source_seconds": 3.0, "target_seconds": 8.0}  # discovered dimension
    billing = next(t for t in doc["tasks"] if t["task_id"] == "billing-cdc")
    assert set(billing) >= {
        "target",
        "task_id",
        "task_arn",
        "status",
        "verdict",
        "reasons",
        "tables",
        "problem_tables",
    }
    assert set(billing["problem_tables"][0]) >= {
        "schema",
        "table",
        "validation_state",
        "table_state",
        "failed_records",
        "suspended_records",
        "pending_records",
    }


def test_check_exits_0_when_all_healthy(start_sim: Start) -> None:
    """A healthy fleet exits 0 with a text report."""
    sim = start_sim(build_fleet(3, 10))
    result = run_bot("check", env=aws_env(sim))
    assert result.returncode == 0, result.stderr
    assert "3 tasks: 3 ok" in result.stdout


def test_check_one_task_by_name(start_sim: Start) -> None:
    """--task narrows the sweep to that task."""
    sim = start_sim(load_scenario(DEMO_SCENARIO))
    result = run_bot("check", "--task", "inventory-cdc", "--format", "json", env=aws_env(sim))
    assert result.returncode == 0, result.stderr
    assert [t["task_id"] for t in json.loads(result.stdout)["tasks"]] == ["inventory-cdc"]


def test_unknown_task_is_bad_input_with_a_suggestion(start_sim: Start) -> None:
    """An unknown --task exits 2 with one line that suggests the closest name."""
    sim = start_sim(load_scenario(DEMO_SCENARIO))
    result = run_bot("check", "--task", "inventroy-cdc", env=aws_env(sim))
    assert_one_line_error(result, "unknown task 'inventroy-cdc'", "inventory-cdc")


def test_unknown_flag() -> None:
    """A wrong flag is one line and exit 2."""
    assert_one_line_error(run_bot("check", "--frobnicate"), "unrecognized arguments: --frobnicate")


def test_unknown_command() -> None:
    """A wrong command is one line and exit 2."""
    assert_one_line_error(run_bot("chekc"), "invalid choice")


def test_missing_config_file() -> None:
    """A config path that does not exist is named."""
    assert_one_line_error(
        run_bot("check", "--config", "/nonexistent/dms-bot.toml"), "/nonexistent/dms-bot.toml"
    )


def test_invalid_config_names_file_and_key(tmp_path: Path) -> None:
    """A broken value names the file and the key."""
    config = tmp_path / "bad.toml"
    config.write_text('[schedule]\ncheck_every = "whenever"\n')
    assert_one_line_error(run_bot("check", "--config", str(config)), str(config), "schedule.check_every")


def test_unreachable_endpoint_exits_2() -> None:
    """If DMS cannot be reached at all, nothing was checked: exit 2, one line."""
    env = {
        "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "1",
    }
    result = run_bot("check", "--no-notify", "--format", "json", env=env)
    assert result.returncode == 2
    assert "could not list replication tasks" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_credentials_exits_2(start_sim: Start) -> None:
    """No AWS credentials at all: exit 2 with a line saying how to provide them."""
    sim = start_sim(build_fleet(1, 1))
    env = {"AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": sim.url, "AWS_REGION": REGION}
    result = run_bot("check", env=env)
    assert result.returncode == 2
    assert "no AWS credentials" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_region_exits_2(start_sim: Start) -> None:
    """No region anywhere: a one-line config error."""
    sim = start_sim(build_fleet(1, 1))
    env = {
        "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": sim.url,
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    assert_one_line_error(run_bot("check", env=env), "region")


def test_check_posts_the_report_to_the_webhook(start_sim: Start) -> None:
    """With DMS_BOT_WEBHOOK_URL set, the same document is POSTed; --no-notify skips it."""
    sim = start_sim(load_scenario(DEMO_SCENARIO))
    with HttpReceiver() as receiver:
        env = {**aws_env(sim), "DMS_BOT_WEBHOOK_URL": receiver.url}
        result = run_bot("check", "--format", "json", env=env)
        [request] = receiver.wait_for(1)
        assert request.json["status"] == "failure"
        assert request.json["summary"] == json.loads(result.stdout)["summary"]
        run_bot("check", "--no-notify", env=env)
        assert len(receiver.requests()) == 1


def test_failing_webhook_is_one_stderr_line_and_keeps_the_exit_code(start_sim: Start) -> None:
    """A webhook answering 400 is reported on stderr; the exit code still reflects the verdicts."""
    sim = start_sim(build_fleet(2, 5))
    with HttpReceiver(status=400) as receiver:
        result = run_bot("check", env={**aws_env(sim), "DMS_BOT_WEBHOOK_URL": receiver.url + "/T0/SECRET"})
        host = receiver.base_url
    assert result.returncode == 0
    assert result.stderr.strip().splitlines() == [
        f"dms-bot: report not delivered: webhook {host}/… answered HTTP 400 Bad Request"
    ]


def test_demo_shows_failing_and_healthy_tasks(tmp_path: Path) -> None:
    """make demo's command exits 0 and shows at least one failing and one healthy task."""
    result = run_bot("demo", "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "FAILURE  billing-cdc" in result.stdout
    assert "OK       inventory-cdc" in result.stdout
    assert "FAILURE  payments-serverless [serverless] (demo)" in result.stdout
    serverless = result.stdout.split("A DMS Serverless replication beside the tasks", 1)[1]
    assert "#serverlessReplicationDetails/payments-serverless" in serverless
    assert "CDC lag*: source 3s, target 8s" in serverless
    assert "dimension ReplicationConfigId=123456789012:OZRAVXDSNFCUTG5UZNI6HRDWVY (discovered" in serverless
    assert json.loads((tmp_path / "out" / "report.json").read_text())["status"] == "failure"


def test_demo_shows_the_failed_rows_of_its_mismatched_table_and_says_it_uses_a_stand_in(
    tmp_path: Path,
) -> None:
    result = run_bot("demo", "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "The demo starts no database server" in result.stdout and "SQLite stand-in" in result.stdout
    which = result.stdout.split("Which rows?", 1)[1]
    assert "57 failed rows: 35 values differ, 11 only on the target, 11 missing on the target" in which
    assert "sales.orders" in which and "missing on the target" in which


def test_console_script_is_installed() -> None:
    """`dms-bot` is the same program as `python -m bot`."""
    exe = shutil.which("dms-bot", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("dms-bot console script not installed in the venv")
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("dms-bot ")


def test_progress_is_shown_only_for_many_tasks() -> None:
    """The TTY progress line appears for sweeps of 10+ tasks and ends with a newline."""
    import io

    from bot.cli.check import TtyProgress

    stream = io.StringIO()
    progress = TtyProgress(stream)
    progress(0, 3)
    progress(3, 3)
    assert stream.getvalue() == ""
    progress(0, 12)
    progress(12, 12)
    assert stream.getvalue() == "\rchecked 0/12 tasks\rchecked 12/12 tasks\n"
