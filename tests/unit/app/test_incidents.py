"""Incidents without Slack: what a sweep opens and what a click does, read back from the store and
the outbox (real SQLite, real sweeps against the simulator)."""

from __future__ import annotations

from datetime import timedelta

from bot.app.alert_queue import post_key, slack_destination
from tests.unit.app.conftest import CHANNEL, UNKNOWN_ARN, MakeWorld, World, recovering_fleet


def kinds(items: list) -> list[str]:
    return [i.kind for i in items]


def test_a_failing_task_opens_one_incident_and_queues_one_post_however_many_sweeps_see_it(
    world: World,
) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    alert = world.store.get_alert(arn)
    assert alert is not None and alert.open and alert.incident == 1 and alert.announced
    assert alert.channel == CHANNEL
    world.sweep(minutes=15)
    world.sweep(minutes=15)
    posts = [i for i in world.outbox() if i.kind == "slack.post"]
    assert [(p.key, p.destination) for p in posts] == [(post_key(arn, 1), slack_destination(CHANNEL))]
    assert posts[0].payload["task_arn"] == arn and posts[0].payload["incident"] == 1
    alert = world.store.get_alert(arn)
    assert alert is not None and alert.incident == 1


def test_healthy_tasks_get_an_alert_record_but_no_message(world: World) -> None:
    world.sweep()
    alert = world.store.get_alert(world.arn("crm-cdc"))
    assert alert is not None and not alert.open and not alert.announced
    assert all(i.payload.get("task_arn") != alert.task_arn for i in world.outbox())


def test_acknowledge_saves_the_owner_audits_once_queues_an_edit_and_a_reply_and_wakes_the_outbox(
    world: World,
) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    queued, wakes = len(world.outbox()), world.wakes
    world.clock.advance(minutes=3)
    assert world.incidents.acknowledge(arn, user="U0ALICE") is True
    alert = world.store.get_alert(arn)
    assert alert is not None and (alert.acked_by, alert.acked_at) == ("U0ALICE", world.clock())
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.user_id, entry.task_arn, entry.detail) == (
        "acknowledge",
        "U0ALICE",
        arn,
        "incident 1",
    )
    new = world.outbox()[queued:]
    assert kinds(new) == ["slack.update", "slack.thread"]
    assert all(i.payload["post_key"] == post_key(arn, 1) for i in new)
    assert all(i.destination == slack_destination(CHANNEL) for i in new)
    assert "<@U0ALICE>" in str(new[0].payload["blocks"])  # the alert message shows its owner
    assert "<@U0ALICE>" in new[1].payload["text"] and "acknowledged" in new[1].payload["text"]
    assert world.wakes == wakes + 1


def test_acknowledge_after_recovery_returns_false_and_queues_nothing(make_world: MakeWorld) -> None:
    world = make_world(recovering_fleet())
    world.sweep()
    world.sweep(minutes=11)  # the table was validated again at 10 minutes
    arn = world.arn("billing-cdc")
    alert = world.store.get_alert(arn)
    assert alert is not None and not alert.open
    queued, wakes = len(world.outbox()), world.wakes
    assert world.incidents.acknowledge(arn, user="U0ALICE") is False
    assert len(world.outbox()) == queued and world.wakes == wakes
    assert world.store.audit_entries() == []
    assert world.store.get_alert(arn) == alert


def test_acknowledge_of_a_task_without_an_alert_returns_false_and_queues_nothing(world: World) -> None:
    world.sweep()
    queued = len(world.outbox())
    assert world.incidents.acknowledge(UNKNOWN_ARN, user="U0ALICE") is False
    assert len(world.outbox()) == queued
    assert world.store.get_alert(UNKNOWN_ARN) is None and world.store.audit_entries() == []


def test_snooze_on_an_open_incident_is_saved_audited_shown_and_alert_open_is_true(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    queued, now = len(world.outbox()), world.clock()
    snoozed = world.incidents.snooze(arn, user="U0BOB", hours=4)
    assert (snoozed.until, snoozed.alert_open) == (now + timedelta(hours=4), True)
    saved = world.store.active_snoozes(now)[arn]
    assert (saved.until, saved.by, saved.at) == (now + timedelta(hours=4), "U0BOB", now)
    [entry] = world.store.audit_entries()
    assert (entry.action, entry.user_id, entry.task_arn) == ("snooze", "U0BOB", arn)
    assert entry.detail.startswith("4h until ")
    new = world.outbox()[queued:]
    assert kinds(new) == ["slack.update", "slack.thread"]
    assert "Snoozed until" in str(new[0].payload["blocks"])
    assert "<@U0BOB>" in new[1].payload["text"] and "snoozed" in new[1].payload["text"]
    assert world.wakes == 1


def test_snooze_without_an_open_incident_is_still_saved_but_alert_open_is_false(world: World) -> None:
    world.sweep()
    arn = world.arn("crm-cdc")  # healthy: nothing to edit, so the clicker is told directly
    queued = len(world.outbox())
    snoozed = world.incidents.snooze(arn, user="U0BOB", hours=1)
    assert snoozed.alert_open is False
    assert arn in world.store.active_snoozes(world.clock())
    assert [e.action for e in world.store.audit_entries()] == ["snooze"]
    assert len(world.outbox()) == queued


def test_a_snoozed_task_turning_bad_opens_its_incident_without_a_post(world: World) -> None:
    arn_known = world.arn("billing-cdc")
    world.incidents.snooze(arn_known, user="U0BOB", hours=24)
    world.sweep()
    alert = world.store.get_alert(arn_known)
    assert alert is not None and alert.open
    assert [i for i in world.outbox() if i.kind == "slack.post"] == []


def test_remember_post_keeps_the_ts_only_for_the_current_incident(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    world.incidents.remember_post(arn, 2, CHANNEL, "1700000000.000200")  # a later incident's post
    alert = world.store.get_alert(arn)
    assert alert is not None and alert.message_ts is None
    world.incidents.remember_post(arn, 1, CHANNEL, "1700000000.000100")
    alert = world.store.get_alert(arn)
    assert alert is not None and (alert.channel, alert.message_ts) == (CHANNEL, "1700000000.000100")
    world.incidents.remember_post(UNKNOWN_ARN, 1, CHANNEL, "1700000000.000300")
    assert world.store.get_alert(UNKNOWN_ARN) is None


def test_is_alert_message_is_true_only_for_the_announced_alerts_own_message(world: World) -> None:
    world.sweep()
    arn = world.arn("billing-cdc")
    assert not world.incidents.is_alert_message(arn, "1700000000.000100")  # not delivered yet
    world.incidents.remember_post(arn, 1, CHANNEL, "1700000000.000100")
    assert world.incidents.is_alert_message(arn, "1700000000.000100")
    assert not world.incidents.is_alert_message(arn, "1700000000.000999")
    assert not world.incidents.is_alert_message(world.arn("crm-cdc"), "1700000000.000100")


def test_observe_feeds_a_fresh_check_into_the_alert_and_queues_its_recovery(make_world: MakeWorld) -> None:
    world = make_world(recovering_fleet())
    world.sweep()
    arn = world.arn("billing-cdc")
    world.clock.advance(minutes=11)
    world.sim.advance(11 * 60)
    [(watched, task)] = [(w, t) for w, t in world.sweeps.list_tasks() if t.arn == arn]
    queued = len(world.outbox())
    assert world.incidents.observe(world.sweeps.check(watched, task), note="Re-checked by <@U0ALICE>")
    alert = world.store.get_alert(arn)
    assert alert is not None and not alert.open
    new = world.outbox()[queued:]
    assert kinds(new) == ["slack.update", "slack.thread"]
    assert "ecovered" in new[1].payload["text"]
    assert world.wakes == 1


def test_observe_of_a_task_without_an_alert_record_changes_nothing(world: World) -> None:
    [(watched, task)] = [(w, t) for w, t in world.sweeps.list_tasks() if t.identifier == "billing-cdc"]
    assert world.incidents.observe(world.sweeps.check(watched, task)) is False
    assert world.store.get_alert(task.arn) is None and world.outbox() == [] and world.wakes == 0
