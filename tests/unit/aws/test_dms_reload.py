"""Revalidate's DMS call, by kind: ReloadTables for a task, ReloadReplicationTables for a DMS
Serverless replication (told by its config ARN), both validate-only and at most 10 tables a
request; real boto3 over HTTP to the simulator, which counts what arrives."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.aws.dms import DmsGateway
from bot.errors import DmsError
from bot.sim import Scenario, SimServer
from tests.support.sim_helpers import make_client

Start = Callable[..., SimServer]
TABLES = [{"schema": "sales", "name": f"t{i:02d}"} for i in range(23)]
MIXED = Scenario.from_dict(
    {
        "tasks": [{"id": "orders-cdc", "tables": TABLES}],
        "replications": [
            {"id": "orders-sl", "resource_id": "OZRAVXDSNFCUTG5UZNI6HRDWVY", "tables": TABLES},
            {"id": "stopped-sl", "status": "stopped", "tables": TABLES[:1]},
        ],
    }
)


def arn_of(sim: SimServer, identifier: str) -> str:
    arns = {t.identifier: t.arn for t in sim.scenario.tasks}
    arns.update({r.identifier: r.arn for r in sim.scenario.replications})
    return arns[identifier]


@pytest.fixture
def sim(start_sim: Start) -> SimServer:
    return start_sim(MIXED)


def test_a_replication_gets_reload_replication_tables_validate_only_in_batches_of_ten(sim: SimServer) -> None:
    gateway = DmsGateway(make_client(sim.url))
    config = arn_of(sim, "orders-sl")
    tables = [("sales", f"t{i:02d}") for i in range(23)]
    assert gateway.reload_tables(config, tables, option="validate-only") == 3
    reloads = sim.reloads()
    assert [r["op"] for r in reloads] == ["ReloadReplicationTables"] * 3
    assert {r["task_arn"] for r in reloads} == {config}
    assert {r["option"] for r in reloads} == {"validate-only"}
    assert [len(r["tables"]) for r in reloads] == [10, 10, 3]
    assert gateway.calls["ReloadReplicationTables"] == 3 and gateway.calls["ReloadTables"] == 0


def test_a_task_still_gets_reload_tables(sim: SimServer) -> None:
    gateway = DmsGateway(make_client(sim.url))
    assert gateway.reload_tables(arn_of(sim, "orders-cdc"), [("sales", "t00")]) == 1
    [reload] = sim.reloads()
    assert reload.get("op", "ReloadTables") == "ReloadTables" and reload["option"] == "validate-only"
    assert gateway.calls["ReloadReplicationTables"] == 0


def test_a_stopped_replication_refuses_with_one_clear_error(sim: SimServer) -> None:
    gateway = DmsGateway(make_client(sim.url))
    with pytest.raises(DmsError) as caught:
        gateway.reload_tables(arn_of(sim, "stopped-sl"), [("sales", "t00")])
    assert caught.value.code == "InvalidResourceStateFault"
    assert "\n" not in str(caught.value)
