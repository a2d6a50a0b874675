"""What the Pager queues for PagerDuty as the incident lives, read back from the outbox (real
sweeps against the simulator, real SQLite): per-target routing, one acknowledge per incident, and
``page_on = "warning"`` escalating one page from warning to critical under one key."""

from __future__ import annotations

from dataclasses import replace

from bot.app.paging import KIND
from bot.settings import PagerDutySettings, Secret, Target
from bot.store.base import OutboxItem
from tests.support.inprocess import small_fleet, table
from tests.support.simtools import REGION
from tests.unit.app.conftest import CHANNEL, MakeWorld, World, recovering_fleet, watching_demo

KEY = "0123456789abcdef0123456789abcdef"


def pages(world: World) -> list[OutboxItem]:
    """Every PagerDuty item queued, in order (ids may have gaps: a duplicate key's insert uses one)."""
    items = [world.store.get_item(n) for n in range(1, 100)]
    return [i for i in items if i is not None and i.kind == KIND]


def events(world: World) -> list[tuple[str, str, str | None]]:
    """(action, dedup_key, severity) of every queued event, in order."""
    return [
        (
            i.payload["event"]["event_action"],
            i.payload["event"]["dedup_key"],
            i.payload["event"].get("payload", {}).get("severity"),
        )
        for i in pages(world)
    ]


def paged(page_on: str = "failure", *, per_target: bool = False):
    target = Target(name="demo", region=REGION, channel=CHANNEL)
    if per_target:
        return replace(watching_demo(), targets=(replace(target, pagerduty_routing_key=Secret(KEY)),))
    return replace(watching_demo(), pagerduty=PagerDutySettings(routing_key=Secret(KEY), page_on=page_on))


def test_an_incident_queues_trigger_ack_once_and_resolve_for_its_target(make_world: MakeWorld) -> None:
    world = make_world(recovering_fleet(), settings=paged(per_target=True))
    world.sweep()
    arn = world.arn("billing-cdc")
    world.incidents.acknowledge(arn, user="U0ALICE")
    world.incidents.acknowledge(arn, user="U0BOB")  # a second click: PagerDuty hears it once
    world.sweep(minutes=15)
    key = f"dms-validation-bot:{arn}:1"
    assert events(world) == [("trigger", key, "critical"), ("acknowledge", key, None), ("resolve", key, None)]
    assert {i.destination for i in pages(world)} == {"pagerduty:demo"}
    assert KEY not in str([i.payload for i in pages(world)])  # the key is added when sending, never stored
    assert pages(world)[0].payload["post_key"] == f"alert:{arn}:1:post"


def test_page_on_warning_escalates_one_page_and_resolves_it(make_world: MakeWorld) -> None:
    orders = table(
        "sales",
        "orders",
        validation_state="No primary key",
        changes=[
            {"at": "10m", "validation_state": "Mismatched records", "failed_records": 2},
            {"at": "20m", "validation_state": "Validated", "failed_records": 0},
        ],
    )
    fleet = small_fleet(
        **{"billing-cdc": {"tables": [table("billing", "invoices")]}, "orders-cdc": {"tables": [orders]}}
    )
    world = make_world(fleet, settings=paged("warning"))
    world.sweep()
    world.sweep(minutes=5)  # still a warning: nothing more
    world.sweep(minutes=10)  # failing: the incident takes the page over
    world.sweep(minutes=10)  # validated
    key = f"dms-validation-bot:{world.arn('orders-cdc')}:1"
    assert events(world) == [
        ("trigger", key, "warning"),
        ("trigger", key, "critical"),
        ("resolve", key, None),
    ]
    assert world.store.get_meta(f"pagerduty.warning:{world.arn('orders-cdc')}") == ""


def test_page_on_failure_ignores_warnings(make_world: MakeWorld) -> None:
    orders = table("sales", "orders", validation_state="No primary key")
    fleet = small_fleet(
        **{"billing-cdc": {"tables": [table("billing", "invoices")]}, "orders-cdc": {"tables": [orders]}}
    )
    world = make_world(fleet, settings=paged("failure"))
    world.sweep()
    assert events(world) == []
