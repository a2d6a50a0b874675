"""`dms-bot check` on a mixed fleet (tasks and DMS Serverless replications), as cron runs it."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.sim import FaultRule, Scenario, SimServer
from tests.support.cli_process import aws_env, run_bot
from tests.support.simtools import REGION

Start = Callable[..., SimServer]
MISMATCHED = {
    "schema": "sales",
    "name": "orders",
    "validation_state": "Mismatched records",
    "failed_records": 4,
}


def mixed_fleet() -> Scenario:
    healthy = [{"count": 12, "schema": "sales", "prefix": "t_"}]
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [{"id": "orders-cdc", "migration_type": "cdc", "validation": True, "generate": healthy}],
            "replications": [
                {
                    "id": "billing-serverless",
                    "replication_type": "cdc",
                    "validation": True,
                    "generate": healthy,
                },
                {
                    "id": "crm-serverless",
                    "replication_type": "full-load-and-cdc",
                    "validation": True,
                    "tables": [MISMATCHED],
                },
                {
                    "id": "ledger-serverless",
                    "status": "provisioning_capacity",
                    "replication_type": "cdc",
                    "generate": healthy,
                },
            ],
        }
    )


def test_check_json_has_serverless_entries_beside_tasks(start_sim: Start) -> None:
    sim = start_sim(mixed_fleet())
    result = run_bot("check", "--format", "json", env=aws_env(sim))
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["summary"] == {"tasks": 4, "ok": 2, "warning": 1, "failure": 1, "errors": 0}
    entries = {t["task_id"]: t for t in doc["tasks"]}
    assert {name: (t["kind"], t["verdict"]) for name, t in entries.items()} == {
        "orders-cdc": ("task", "ok"),
        "billing-serverless": ("serverless", "ok"),
        "crm-serverless": ("serverless", "failure"),
        "ledger-serverless": ("serverless", "warning"),
    }
    crm = entries["crm-serverless"]
    assert crm["task_arn"].startswith(f"arn:aws:dms:{REGION}:") and ":replication-config:" in crm["task_arn"]
    assert crm["status"] == "running"
    assert crm["reasons"] == ["1 table Mismatched records"]
    assert [(p["schema"], p["table"], p["failed_records"]) for p in crm["problem_tables"]] == [
        ("sales", "orders", 4)
    ]
    assert entries["ledger-serverless"]["reasons"] == ["starting: provisioning capacity"]
    assert entries["billing-serverless"]["tables"]["total"] == 12


def test_check_one_replication_by_its_config_id(start_sim: Start) -> None:
    sim = start_sim(mixed_fleet())
    result = run_bot("check", "--format", "json", "--task", "billing-serverless", env=aws_env(sim))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(t["task_id"], t["kind"]) for t in doc["tasks"]] == [("billing-serverless", "serverless")]


def test_no_permission_to_list_replications_is_one_error_line_and_the_tasks_are_checked(
    start_sim: Start,
) -> None:
    sim = start_sim(mixed_fleet())
    sim.set_faults([FaultRule(kind="access_denied", op="DescribeReplications")])
    result = run_bot("check", env=aws_env(sim))
    assert result.returncode == 1, result.stderr  # a partial sweep: not "could not run at all" (2)
    errors = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert errors[0].startswith("ERROR    (listing serverless replications) (default):")
    assert "dms:DescribeReplications" in errors[0] and "serverless = false" in errors[0]
    assert "orders-cdc" in result.stdout
