"""Revalidate rules, without Slack: operators only, one ReloadTables per double click (sequential or
concurrent), running tasks with failing tables only, and every attempt in the audit log. DMS is
the simulator, so ReloadTables requests are counted where they arrive."""

from __future__ import annotations

from datetime import timedelta

from bot.app.revalidation import QUIET, Outcome, Refusal
from tests.unit.app.conftest import UNKNOWN_ARN, MakeWorld, World, with_a_stopped_task

RELOAD = "ReloadTables"


def actions(world: World) -> list[str]:
    return [e.action for e in world.store.audit_entries()]


def test_a_non_operator_is_refused_audited_and_dms_is_not_asked(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    queued = len(world.outbox())
    outcome = world.incidents.revalidate(arn, user="U0GUEST", operator=False)
    assert outcome.refused is Refusal.NOT_OPERATOR
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.user_id, entry.task_arn, entry.detail) == (
        "revalidate-refused",
        "U0GUEST",
        arn,
        "not an operator",
    )
    assert world.calls(RELOAD) == 0 and len(world.outbox()) == queued


def test_an_operator_reloads_the_failing_tables_and_the_result_goes_to_the_alert_thread(
    world: World,
) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    queued = len(world.outbox())
    outcome = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    assert outcome == Outcome(tables=1, requests=1, in_thread=True)
    [reload] = world.sim.reloads()
    assert reload["task_arn"] == arn and reload["option"] == "validate-only"
    assert reload["tables"] == [{"SchemaName": "billing", "TableName": "invoices"}]  # failing ones only
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.user_id, entry.detail) == ("revalidate", "U0OPS", "1 tables, 1 requests")
    [reply] = world.outbox()[queued:]
    assert reply.kind == "slack.thread" and "<@U0OPS>" in reply.payload["text"]
    assert world.wakes == 1


def test_without_an_announced_alert_the_result_is_for_the_clicker(world: World) -> None:
    world.sweeps.sweep()  # listed and checked, but no incident was opened (after_sweep not run)
    outcome = world.incidents.revalidate(world.arn("billing-cdc"), user="U0OPS", operator=True)
    assert (outcome.refused, outcome.tables, outcome.in_thread) == (None, 1, False)
    assert world.outbox() == [] and world.calls(RELOAD) == 1


def test_a_second_click_within_quiet_is_just_sent_and_after_quiet_is_judged_afresh(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    assert world.incidents.revalidate(arn, user="U0OPS", operator=True).refused is None
    world.clock.advance(seconds=QUIET.total_seconds() - 1)
    again = world.incidents.revalidate(arn, user="U0OTHER", operator=True)
    assert again.refused is Refusal.JUST_SENT
    assert world.calls(RELOAD) == 1
    assert actions(world) == ["revalidate"]  # a double click leaves no audit entry of its own
    world.clock.advance(seconds=1)
    asked = world.sim.total_calls()
    later = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    # no longer a double click: DMS is asked again, and its table is now pending revalidation
    assert (later.refused, later.reason) == (Refusal.NOT_POSSIBLE, "the task has no failing tables right now")
    assert world.sim.total_calls() > asked


def test_a_concurrent_double_click_sends_one_reload_tables(make_world: MakeWorld) -> None:
    """Two threads click at once while DMS is slow: the second sees the first in flight."""
    world = make_world(latency=0.2)
    world.sweep()
    arn = world.arn("billing-cdc")
    outcomes = world.click_twice_at_once(arn)
    assert sorted(str(o.refused) for o in outcomes) == sorted([str(None), str(Refusal.JUST_SENT)])
    assert world.calls(RELOAD) == 1
    assert actions(world) == ["revalidate"]


def test_a_stopped_task_is_not_possible_with_the_reason_and_dms_is_not_asked_to_reload(
    make_world: MakeWorld,
) -> None:
    world = make_world(with_a_stopped_task())
    world.sweep()
    arn = world.arn("stopped-cdc")
    outcome = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    assert outcome.refused is Refusal.NOT_POSSIBLE
    assert outcome.reason is not None and "stopped" in outcome.reason and "running" in outcome.reason
    assert world.calls(RELOAD) == 0
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.detail) == ("revalidate-failed", outcome.reason)


def test_a_task_without_failing_tables_is_not_possible(world: World) -> None:
    world.sweep()
    outcome = world.incidents.revalidate(world.arn("crm-cdc"), user="U0OPS", operator=True)
    assert outcome.refused is Refusal.NOT_POSSIBLE
    assert outcome.reason == "the task has no failing tables right now"
    assert world.calls(RELOAD) == 0
    assert actions(world) == ["revalidate-failed"]


def test_a_failed_attempt_does_not_count_as_a_double_click(world: World) -> None:
    world.sweep()
    arn = world.arn("crm-cdc")
    world.incidents.revalidate(arn, user="U0OPS", operator=True)
    world.clock.advance(seconds=5)
    again = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    assert again.refused is Refusal.NOT_POSSIBLE  # told why again, not "sent moments ago"


def test_an_unknown_task_is_gone(world: World) -> None:
    world.sweep()
    outcome = world.incidents.revalidate(UNKNOWN_ARN, user="U0OPS", operator=True)
    assert outcome.refused is Refusal.GONE
    assert world.calls(RELOAD) == 0


def test_a_task_deleted_since_the_last_listing_is_gone_not_a_raw_dms_error(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    assert world.sim.delete_task(arn)
    outcome = world.incidents.revalidate(arn, user="U0OPS", operator=True)
    assert outcome.refused is Refusal.GONE
    assert world.calls(RELOAD) == 0


def test_quiet_is_a_couple_of_minutes() -> None:
    """The double-click window the message promises ("try again in a few minutes")."""
    assert timedelta(minutes=1) < QUIET <= timedelta(minutes=5)
