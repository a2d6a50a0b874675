"""What an incident's life says to PagerDuty, step by step, with plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.alerts import AlertPolicy, Seen, TaskAlert, step
from bot.core.evaluate import evaluate
from bot.core.models import TableStats, Task, TaskError, TaskVerdict, Verdict
from bot.core.paging import (
    DEDUP_KEY_MAX,
    Action,
    Page,
    Severity,
    acknowledge_page,
    dedup_key,
    incident_pages,
    warning_pages,
)

T0 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABC"
TASK = Task(identifier="orders-cdc", arn=ARN, status="running", migration_type="cdc")
POLICY = AlertPolicy(remind_every=timedelta(hours=4), error_after=2)
KEY1 = f"dms-validation-bot:{ARN}:1"


def seen(*bad: str, state: str = "Mismatched records") -> TaskVerdict:
    tables = [TableStats("sales", name, "Table completed", state, failed_records=1) for name in bad]
    tables.append(TableStats("sales", "ok_table", "Table completed", "Validated"))
    return evaluate(TASK, tables, now=T0)


def warning() -> TaskVerdict:
    tables = [TableStats("sales", "orders", "Table completed", "No primary key")]
    verdict = evaluate(TASK, tables, now=T0)
    assert verdict.verdict is Verdict.WARNING
    return verdict


def error() -> TaskError:
    return TaskError("prod", "orders-cdc", "ThrottlingException: Rate exceeded", ARN)


def life(observations: list[Seen], *, acked_after: int | None = None) -> list[list[Page]]:
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    pages: list[list[Page]] = []
    for n, observed in enumerate(observations):
        result = step(alert, observed, now=T0 + timedelta(minutes=15 * n), policy=POLICY)
        pages.append(incident_pages(alert, result))
        alert = result.alert
        if acked_after == n:
            ack = acknowledge_page(alert)
            pages[-1] += [ack] if ack else []
    return pages


def test_one_incident_life_is_trigger_ack_worse_trigger_resolve_under_one_key() -> None:
    pages = life([seen(), seen("orders"), seen("orders"), seen("orders", "lines"), seen()], acked_after=1)
    assert pages == [
        [],
        [Page(Action.TRIGGER, KEY1, "open", Severity.CRITICAL), Page(Action.ACKNOWLEDGE, KEY1, "ack")],
        [],  # the same tables, still failing: nothing new for the pager
        [Page(Action.TRIGGER, KEY1, "worse", Severity.CRITICAL)],
        [Page(Action.RESOLVE, KEY1, "resolve")],
    ]


def test_the_next_incident_has_the_next_key() -> None:
    pages = life([seen("orders"), seen(), seen("orders")])
    keys = [p.dedup_key for step_pages in pages for p in step_pages]
    assert keys == [KEY1, KEY1, f"dms-validation-bot:{ARN}:2"]


def test_a_task_that_cannot_be_checked_pages_as_error_and_escalates_when_seen_failing() -> None:
    pages = life([error(), error(), seen("orders")])
    assert pages[1] == [Page(Action.TRIGGER, KEY1, "open", Severity.ERROR)]
    assert pages[2] == [Page(Action.TRIGGER, KEY1, "worse", Severity.CRITICAL)]


def test_snoozed_incident_pages_when_announced_and_not_before() -> None:
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    quiet = step(alert, seen("orders"), now=T0, policy=POLICY, snoozed=True)
    assert incident_pages(alert, quiet) == [] and acknowledge_page(quiet.alert) is None
    later = step(quiet.alert, seen("orders"), now=T0 + timedelta(hours=1), policy=POLICY)
    assert incident_pages(quiet.alert, later) == [Page(Action.TRIGGER, KEY1, "open", Severity.CRITICAL)]
    healed = step(quiet.alert, seen(), now=T0 + timedelta(hours=1), policy=POLICY)
    assert incident_pages(quiet.alert, healed) == []  # never paged: nothing to resolve


def test_dedup_key_is_derived_from_the_stored_identity_and_fits_255() -> None:
    assert dedup_key(ARN, 7) == dedup_key(ARN, 7) == f"dms-validation-bot:{ARN}:7"
    long_arn = "arn:aws:dms:eu-west-1:123456789012:replication-config:" + "x" * 300
    key = dedup_key(long_arn, 12)
    assert len(key) <= DEDUP_KEY_MAX and key.endswith(":12") and key == dedup_key(long_arn, 12)
    assert key != dedup_key(long_arn + "y", 12)


def test_warning_pages_escalate_into_the_incident_under_the_same_key() -> None:
    """page_on = "warning": warning → trigger(warning) under the next incident's key; the failure
    re-triggers that key at critical; recovery resolves it; a later warning opens key 2."""
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    open_key: str | None = None
    sent: list[Page] = []
    for n, observed in enumerate([seen(), warning(), warning(), seen("orders"), seen(), warning(), seen()]):
        result = step(alert, observed, now=T0 + timedelta(minutes=15 * n), policy=POLICY)
        more, open_key = warning_pages(result.alert, observed, open_key=open_key, snoozed=False)
        sent += incident_pages(alert, result) + more
        alert = result.alert
    key2 = f"dms-validation-bot:{ARN}:2"
    assert sent == [
        Page(Action.TRIGGER, KEY1, "warning", Severity.WARNING),
        Page(Action.TRIGGER, KEY1, "open", Severity.CRITICAL),
        Page(Action.RESOLVE, KEY1, "resolve"),
        Page(Action.TRIGGER, key2, "warning", Severity.WARNING),
        Page(Action.RESOLVE, key2, "resolve"),
    ]
    assert open_key is None


def test_a_warning_page_waits_while_the_task_cannot_be_seen_and_resolves_when_it_is_gone() -> None:
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    assert warning_pages(alert, error(), open_key=KEY1, snoozed=False) == ([], KEY1)
    assert warning_pages(alert, None, open_key=KEY1, snoozed=False) == (
        [Page(Action.RESOLVE, KEY1, "resolve")],
        None,
    )
    assert warning_pages(alert, warning(), open_key=None, snoozed=True) == ([], None)
