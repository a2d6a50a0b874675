"""When a target's tasks are listed but its DMS Serverless replications cannot be: the one error line,
and what it means for open incidents (real sweeps against the simulator, SQLite in memory)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app.cycle import sweep_outcome
from bot.app.listing import serverless_unlisted
from bot.core.models import SERVERLESS_UNLISTED, Report, TaskError
from bot.errors import DmsThrottled
from bot.settings import Target
from bot.sim import FaultRule, Scenario
from tests.support.simtools import REGION
from tests.unit.app.conftest import MakeWorld

TASK_ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABC"
CONFIG_ARN = "arn:aws:dms:eu-west-1:123456789012:replication-config:DEF"
MISMATCHED = {
    "schema": "sales",
    "name": "orders",
    "validation_state": "Mismatched records",
    "failed_records": 2,
}


def failing_pair() -> Scenario:
    """A task and a Serverless replication, each with a mismatched table."""
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [
                {"id": "orders-cdc", "migration_type": "cdc", "validation": True, "tables": [MISMATCHED]}
            ],
            "replications": [
                {
                    "id": "orders-serverless",
                    "replication_type": "cdc",
                    "validation": True,
                    "tables": [MISMATCHED],
                }
            ],
        }
    )


def test_a_serverless_listing_error_hides_only_replications() -> None:
    error = TaskError(target="prod", task_id=None, error="x", kind=SERVERLESS_UNLISTED)
    assert error.hides(CONFIG_ARN) and not error.hides(TASK_ARN)
    assert not error.unlisted
    whole = TaskError(target="prod", task_id=None, error="x", kind="Unavailable")
    assert whole.hides(CONFIG_ARN) and whole.hides(TASK_ARN) and whole.unlisted


def test_a_sweep_that_missed_only_replications_is_partial_not_failed() -> None:
    error = TaskError(target="prod", task_id=None, error="x", kind=SERVERLESS_UNLISTED)
    report = Report(checked_at=datetime(2026, 12, 6, tzinfo=UTC), errors=(error,))
    assert sweep_outcome(report, targets=1) == "partial"


def test_other_listing_errors_say_the_replications_are_not_in_this_sweep() -> None:
    line = serverless_unlisted(Target(name="prod"), DmsThrottled("ThrottlingException: Rate exceeded"))
    assert line.kind == SERVERLESS_UNLISTED and line.task_id is None
    assert line.error == (
        "DMS Serverless replications could not be listed (ThrottlingException: Rate exceeded); "
        "tasks are still checked, replications are not in this sweep."
    )


def test_an_open_replication_alert_stays_open_while_replications_cannot_be_listed(
    make_world: MakeWorld,
) -> None:
    world = make_world(failing_pair())
    world.sweep()
    task_arn, config_arn = world.arn("orders-cdc"), world.arn("orders-serverless")
    assert ":replication-config:" in config_arn
    for arn in (task_arn, config_arn):
        alert = world.store.get_alert(arn)
        assert alert is not None and alert.open

    world.sim.set_faults([FaultRule(kind="access_denied", op="DescribeReplications")])
    world.sweep(minutes=15)
    alert = world.store.get_alert(config_arn)
    assert alert is not None and alert.open  # not "gone": the bot could not look
    assert alert.incident == 1


def deprovisioned_after_five_minutes() -> Scenario:
    """A full-load replication with a mismatched table that finishes, stops and is deprovisioned."""
    later = {
        "at": "5m",
        "status": "stopped",
        "stop_reason": "Stop Reason FULL_LOAD_ONLY_FINISHED",
        "provision_state": "deprovisioned",
    }
    replication = {
        "id": "orders-serverless",
        "replication_type": "full-load",
        "validation": True,
        "tables": [MISMATCHED],
        "changes": [later],
    }
    return Scenario.from_dict({"simulator": {"region": REGION}, "replications": [replication]})


def test_a_deprovisioned_replication_keeps_its_last_known_verdict_and_its_history(
    make_world: MakeWorld,
) -> None:
    """Its statistics are gone: not asked for, not called healthy; the incident stays open and
    /dms history still has the sweeps that read its tables."""
    world = make_world(deprovisioned_after_five_minutes())
    world.sweep()
    arn = world.arn("orders-serverless")
    world.sim.reset_counters()
    world.sweep(minutes=6)
    world.sweep(minutes=15)
    assert world.calls("DescribeReplicationTableStatistics") == 0
    alert = world.store.get_alert(arn)
    assert alert is not None and alert.open and alert.incident == 1
    history = world.store.task_history(arn)
    assert [(h.verdict, h.tables_total) for h in history] == [("failure", 1), ("failure", 0), ("failure", 0)]
    assert history[-1].reasons[0].startswith("statistics gone: deprovisioned")
    assert history[-1].reasons[1:] == ("before deprovisioning: 1 table Mismatched records",)
