"""Revalidate on a DMS Serverless replication's alert: the same rules as for a task (operators only,
failing tables only, running only, a double click sends nothing, every attempt audited), and DMS
receives exactly one ReloadReplicationTables validate-only per double click (never ReloadTables).
The simulator counts what arrives; the services are wired as the composition root wires them."""

from __future__ import annotations

from bot.app.revalidation import Outcome, Refusal
from bot.sim import Scenario
from tests.support.inprocess import table
from tests.support.simtools import REGION
from tests.unit.app.conftest import MakeWorld, World

RELOAD = "ReloadReplicationTables"
MIXED = Scenario.from_dict(
    {
        "simulator": {"region": REGION},
        "tasks": [{"id": "orders-cdc", "migration_type": "cdc", "tables": [table("sales", "orders")]}],
        "replications": [
            {
                "id": "payments-sl",
                "replication_type": "cdc",
                "tables": [
                    table("pay", "refunds", validation_state="Mismatched records", failed_records=3),
                    table("pay", "ledger"),
                ],
            },
            {
                "id": "stopped-sl",
                "replication_type": "cdc",
                "status": "stopped",
                "stop_reason": "Stop Reason NORMAL",
                "tables": [table("pay", "old", validation_state="Mismatched records", failed_records=1)],
            },
        ],
    }
)


def test_a_double_click_sends_one_reload_replication_tables_validate_only(make_world: MakeWorld) -> None:
    world = make_world(MIXED)
    world.sweep()
    arn = world.arn("payments-sl")
    assert ":replication-config:" in arn
    queued = len(world.outbox())
    first = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    world.clock.advance(seconds=5)
    second = world.incidents.revalidate(arn, user="U0OTHER", operator=True)
    assert first == Outcome(tables=1, requests=1, in_thread=True)
    assert second.refused is Refusal.JUST_SENT
    [reload] = world.sim.reloads()
    assert (reload["op"], reload["task_arn"], reload["option"]) == (RELOAD, arn, "validate-only")
    assert reload["tables"] == [{"SchemaName": "pay", "TableName": "refunds"}]
    assert world.calls(RELOAD) == 1 and world.calls("ReloadTables") == 0
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.task_arn, entry.detail) == ("revalidate", arn, "1 tables, 1 requests")
    [reply] = world.outbox()[queued:]
    assert "1 ReloadReplicationTables request" in reply.payload["text"]


def test_a_concurrent_double_click_sends_one(make_world: MakeWorld) -> None:
    world = make_world(MIXED, latency=0.2)
    world.sweep()
    arn = world.arn("payments-sl")
    outcomes = world.click_twice_at_once(arn)
    assert sorted(str(o.refused) for o in outcomes) == sorted([str(None), str(Refusal.JUST_SENT)])
    assert world.calls(RELOAD) == 1


def test_a_non_operator_and_a_stopped_replication_send_nothing(make_world: MakeWorld) -> None:
    world: World = make_world(MIXED)
    world.sweep()
    refused = world.incidents.revalidate(world.arn("payments-sl"), user="U0GUEST", operator=False)
    assert refused.refused is Refusal.NOT_OPERATOR
    stopped = world.incidents.revalidate(world.arn("stopped-sl"), user="U0OPS", operator=True)
    assert stopped.refused is Refusal.NOT_POSSIBLE
    assert stopped.reason == (
        "the replication is stopped, and DMS only revalidates tables of a running replication"
    )
    assert world.calls(RELOAD) == 0
    assert sorted(e.action for e in world.store.audit_entries()) == [
        "revalidate-failed",
        "revalidate-refused",
    ]
