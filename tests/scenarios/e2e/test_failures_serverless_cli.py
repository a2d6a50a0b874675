"""``dms-bot failures`` for a DMS Serverless replication, end to end: a subprocess, the simulator for
DMS (the replication and its config's target endpoint), the real PostgreSQL target database. Its
rows are the ones whose ``TASK_NAME`` is the config's resource id (UNVERIFIED for serverless; see
README "DMS Serverless"), never the ones named by its identifier."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.sim import Scenario, SimServer
from tests.scenarios.e2e.test_failures_cli import no_password
from tests.support.cli_process import aws_env, run_bot
from tests.support.serve_process import write_config
from tests.support.simtools import REGION
from tests.support.target_fixtures import FilledTarget, copy_rows

ACCOUNT = "123456789012"
RESOURCE_ID = "PGSERVERLESSRESOURCEID0001"


@pytest.mark.slow
def test_failures_of_a_replication_are_read_by_its_config_resource_id(
    start_sim: Callable[..., SimServer], tmp_path: Path, postgres_target: FilledTarget
) -> None:
    copy_rows(postgres_target, RESOURCE_ID)
    scenario = {
        "simulator": {"region": REGION, "account": ACCOUNT},
        "replications": [
            {
                "id": "pg-sl",
                "resource_id": RESOURCE_ID,
                "replication_type": "cdc",
                "target_endpoint": "pg-sl-target",
            }
        ],
        "endpoints": [{"id": "pg-sl-target", "engine": "postgres", "server": "pg.internal", "port": 5432}],
    }
    sim = start_sim(Scenario.from_dict(scenario))
    databases = [{"endpoint": "pg-sl-target", "url": no_password(postgres_target.reader_url)}]
    config = write_config(tmp_path / "bot.toml", databases=databases)
    result = run_bot("failures", "pg-sl", "--format", "json", "--config", str(config), env=aws_env(sim))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["task_id"] == "pg-sl"
    assert doc["task_arn"] == f"arn:aws:dms:{REGION}:{ACCOUNT}:replication-config:{RESOURCE_ID}"
    assert (doc["endpoint"], doc["engine"], doc["total"]) == ("pg-sl-target", "postgres", 15)
    assert doc["by_type"] == {"MISSING_SOURCE": 2, "MISSING_TARGET": 3, "RECORD_DIFF": 9, "TABLE_WARNING": 1}
