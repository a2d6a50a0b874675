"""``dms-bot failures`` end to end: a subprocess, the simulator for DMS, real PostgreSQL and MariaDB
target databases; both formats, and every fault as one stderr line with exit 2."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.sim import Scenario, SimServer
from bot.sim.model import resource_id
from tests.support.cli_process import assert_one_line_error, aws_env, run_bot
from tests.support.serve_process import write_config
from tests.support.simtools import REGION
from tests.support.target_fixtures import READER_PASSWORD, FilledTarget
from tests.support.target_fixtures import copy_rows as copy_task_rows

ACCOUNT = "123456789012"
SCENARIO = {
    "simulator": {"region": REGION, "account": ACCOUNT},
    "tasks": [
        {"id": name, "migration_type": "cdc", "target_endpoint": f"{name}-target"}
        for name in ("pg-task", "maria-task", "mssql-task", "lonely-task", "down-task", "nogrant-task")
    ],
    "endpoints": [
        {"id": "pg-task-target", "engine": "postgres", "server": "pg.internal", "port": 5432},
        {"id": "maria-task-target", "engine": "mariadb", "server": "maria.internal", "port": 3306},
        {"id": "mssql-task-target", "engine": "sqlserver", "server": "mssql.internal", "port": 1433},
        {"id": "lonely-task-target", "engine": "aurora-postgresql", "secret_id": "prod/lonely"},
        {"id": "down-task-target", "engine": "postgres"},
        {"id": "nogrant-task-target", "engine": "mariadb"},
    ],
}


PG_ENDPOINT = {"id": "pg-task-target", "engine": "postgres", "server": "pg.internal", "port": 5432}


def task_name(identifier: str) -> str:
    return resource_id("task", identifier, REGION, ACCOUNT)


def copy_rows(target: FilledTarget, identifier: str) -> None:
    """The fixture's rows again under the simulated task's resource id (once per session)."""
    copy_task_rows(target, task_name(identifier))


def no_password(url: sa.URL) -> str:
    """The URL as a user writes it: plain scheme, no password (that comes from password_env)."""
    scheme = "postgresql" if url.get_backend_name() == "postgresql" else "mysql"
    return f"{scheme}://{url.username}@{url.host}:{url.port}/{url.database}"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cli(
    start_sim: Callable[..., SimServer],
    tmp_path: Path,
    postgres_target: FilledTarget,
    mysql_target: FilledTarget,
) -> Iterator[Callable[..., Any]]:
    copy_rows(postgres_target, "pg-task")
    copy_rows(mysql_target, "maria-task")
    sim = start_sim(Scenario.from_dict(SCENARIO))
    pg_url, maria_url = (no_password(t.reader_url) for t in (postgres_target, mysql_target))
    databases = [
        {"endpoint": "pg-task-target", "url": pg_url},
        {
            "endpoint": sim.scenario.endpoints[1].arn,  # an ARN works as well as an identifier
            "url": maria_url,
            "password_env": "MARIA_READER_PASSWORD",
            "control_schema": mysql_target.control_schema,
        },
        {"endpoint": "down-task-target", "url": f"postgresql://reader:S3cret-pw@127.0.0.1:{closed_port()}/x"},
        {
            "endpoint": "nogrant-task-target",
            "url": maria_url,
            "password_env": "MARIA_READER_PASSWORD",
            "control_schema": "awsdms_control_never_granted",
        },
    ]
    config = write_config(tmp_path / "bot.toml", databases=databases)
    env = {**aws_env(sim), "MARIA_READER_PASSWORD": READER_PASSWORD}

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Any:
        return run_bot("failures", *args, "--config", str(config), env={**env, **(extra_env or {})})

    yield run


@pytest.mark.slow
@pytest.mark.parametrize("task", ["pg-task", "maria-task"])
def test_json_document_newest_first_with_total_and_counts(cli: Callable[..., Any], task: str) -> None:
    result = cli(task, "--format", "json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["task_id", "task_arn", "endpoint", "engine", "total", "by_type", "failures"]
    assert (doc["task_id"], doc["endpoint"], doc["total"]) == (task, f"{task}-target", 15)
    assert doc["engine"] == ("postgres" if task == "pg-task" else "mariadb")
    assert doc["by_type"] == {"MISSING_SOURCE": 2, "MISSING_TARGET": 3, "RECORD_DIFF": 9, "TABLE_WARNING": 1}
    times = [f["failure_time"] for f in doc["failures"]]
    assert times == ["2026-11-26T09:17:00.123Z", "2026-11-26T09:16:00.123Z", "2026-11-26T09:15:00.123Z"]
    assert doc["failures"][0] == {
        "schema": "crm",
        "table": "contacts",
        "failure_type": "TABLE_WARNING",
        "key": "{}",
        "failure_time": "2026-11-26T09:17:00.123Z",
        "details": "Table has no primary key columns",
        "resync_result": None,
    }
    assert doc["failures"][1]["key"] == "{not json"


@pytest.mark.slow
def test_text_output_with_filters_is_a_readable_table(cli: Callable[..., Any]) -> None:
    result = cli("pg-task", "--table", "sales.orders", "--type", "record_diff", "--limit", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "pg-task · target endpoint pg-task-target (postgres)"
    assert lines[1] == "7 failed rows: 7 values differ"
    assert lines[2] == "newest 2 shown (--limit N for more)"
    assert lines[4].split() == ["WHEN", "(UTC)", "TABLE", "KIND", "KEY", "DETAILS"]
    assert lines[5].startswith("2026-11-26 09:07:00  sales.orders") and "values differ" in lines[5]
    assert "1007" in lines[5] and "MYREAL" in lines[5] and len(lines) == 7


@pytest.mark.slow
def test_hostile_values_are_clipped_to_their_columns(cli: Callable[..., Any]) -> None:
    result = cli("maria-task", "--table", "sales.order_lines")
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) < 200
    assert "<!channel>" in result.stdout  # plain text in a terminal; Slack escaping is the renderer's job


@pytest.mark.slow
def test_zero_rows_is_exit_0(cli: Callable[..., Any]) -> None:
    result = cli("pg-task", "--table", "sales.nothing_failed", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 0 and json.loads(result.stdout)["failures"] == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["pg-tsk"], ["unknown task 'pg-tsk' (did you mean pg-task"]),
        (
            ["lonely-task"],
            ["no database configured for endpoint lonely-task-target", "use_endpoint_secrets = true"],
        ),
        (["mssql-task"], ["engine sqlserver is not supported yet"]),
        (["down-task"], ["endpoint down-task-target (127.0.0.1:", "cannot connect (connection refused"]),
        (["nogrant-task"], ["may not read awsdms_control_never_granted.awsdms_validation_failures_v1"]),
        (["pg-task", "--type", "WRONG"], ["unknown failure type 'WRONG'"]),
        (["pg-task", "--table", "orders"], ["expected SCHEMA.TABLE"]),
        (["pg-task", "--limit", "0"], ["expected a whole number of rows >= 1"]),
    ],
)
def test_faults_are_one_line_and_exit_2_without_secrets(
    cli: Callable[..., Any], args: list[str], fragments: list[str]
) -> None:
    result = cli(*args)
    assert_one_line_error(result, *fragments)
    assert "S3cret-pw" not in result.stderr and READER_PASSWORD not in result.stderr
    print(result.stderr.strip())


@pytest.mark.slow
def test_check_report_gives_each_problem_table_its_failed_rows(
    start_sim: Callable[..., SimServer], tmp_path: Path, postgres_target: FilledTarget
) -> None:
    """``check --format json``: per problem table, counts by kind and the 5 newest keys (one query)."""
    copy_rows(postgres_target, "pg-task")
    tables = [
        {"schema": "sales", "name": "orders", "validation_state": "Mismatched records", "failed_records": 10},
        {
            "schema": "sales",
            "name": "refunds",
            "validation_state": "Suspended records",
            "suspended_records": 1,
        },
        {"schema": "sales", "name": "clean"},
    ]
    scenario = {
        **SCENARIO,
        "tasks": [
            {"id": "pg-task", "migration_type": "cdc", "target_endpoint": "pg-task-target", "tables": tables}
        ],
        "endpoints": [PG_ENDPOINT],
    }
    sim = start_sim(Scenario.from_dict(scenario))
    databases = [{"endpoint": "pg-task-target", "url": no_password(postgres_target.reader_url)}]
    config = write_config(tmp_path / "bot.toml", databases=databases)
    result = run_bot("check", "--no-notify", "--format", "json", "--config", str(config), env=aws_env(sim))
    assert result.returncode == 1, result.stderr
    problems = {p["table"]: p for p in json.loads(result.stdout)["tasks"][0]["problem_tables"]}
    assert problems["orders"]["failures"] == {
        "total": 10,
        "by_type": {"MISSING_SOURCE": 1, "MISSING_TARGET": 2, "RECORD_DIFF": 7},
        "sample_keys": [["3001"], ["2002"], ["2001"], ["1007"], ["1006"]],
    }
    assert problems["refunds"]["failures"] == {"total": 0, "by_type": {}, "sample_keys": []}
    assert sim.counters()["calls"].get("DescribeEndpoints") == 1


@pytest.mark.slow
def test_check_report_says_when_the_database_cannot_be_read(
    start_sim: Callable[..., SimServer], tmp_path: Path
) -> None:
    tables = [
        {"schema": "sales", "name": "orders", "validation_state": "Mismatched records", "failed_records": 3}
    ]
    scenario = {
        **SCENARIO,
        "tasks": [
            {"id": "pg-task", "migration_type": "cdc", "target_endpoint": "pg-task-target", "tables": tables}
        ],
        "endpoints": [PG_ENDPOINT],
    }
    sim = start_sim(Scenario.from_dict(scenario))
    url = f"postgresql://reader:S3cret-pw@127.0.0.1:{closed_port()}/x"
    config = write_config(tmp_path / "bot.toml", databases=[{"endpoint": "pg-task-target", "url": url}])
    result = run_bot("check", "--no-notify", "--format", "json", "--config", str(config), env=aws_env(sim))
    assert result.returncode == 1 and "S3cret-pw" not in result.stdout + result.stderr
    [problem] = json.loads(result.stdout)["tasks"][0]["problem_tables"]
    assert problem["verdict"] == "failure"  # the verdict stands on DMS's own statistics
    failures = problem["failures"]
    assert failures["total"] is None and "cannot connect" in failures["error"]
