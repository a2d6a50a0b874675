"""The alert state machine, sweep by sweep, with plain values and a hand-moved clock."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alerts import AlertPolicy, Effect, Seen, TaskAlert, open_for, step
from bot.core.evaluate import evaluate
from bot.core.models import TableStats, Task, TaskError, TaskVerdict

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABC"
TASK = Task(identifier="orders-cdc", arn=ARN, status="running", migration_type="cdc")
POLICY = AlertPolicy(remind_every=timedelta(hours=4), error_after=2)


def seen(*bad: str) -> TaskVerdict:
    tables = [
        TableStats("sales", name, "Table completed", "Mismatched records", failed_records=1) for name in bad
    ]
    tables.append(TableStats("sales", "ok_table", "Table completed", "Validated"))
    return evaluate(TASK, tables, now=T0)


def error() -> TaskError:
    return TaskError("prod", "orders-cdc", "ThrottlingException: Rate exceeded", ARN)


def run(observations: list[tuple[timedelta, Seen]], *, snoozed_until: timedelta | None = None):
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    effects = []
    for offset, observed in observations:
        now = T0 + offset
        snoozed = snoozed_until is not None and offset < snoozed_until
        result = step(alert, observed, now=now, policy=POLICY, snoozed=snoozed)
        alert = result.alert
        if Effect.POST in result.effects:
            alert = replace(alert, message_ts="1700000000.000100")  # what delivery records
        effects.append(result.effects)
    return alert, effects


def test_bad_then_recovered_is_one_post_updates_and_one_recovery() -> None:
    """Healthy, bad, still bad, recovered: one post, in-place updates, one "recovered"."""
    m = timedelta(minutes=15)
    alert, effects = run([(0 * m, seen()), (1 * m, seen("orders")), (2 * m, seen("orders")), (3 * m, seen())])
    assert effects == [(), (Effect.POST,), (Effect.UPDATE,), (Effect.UPDATE, Effect.RECOVERED)]
    assert not alert.open
    assert open_for(alert, T0) == 2 * m


def test_mention_only_on_the_first_post() -> None:
    """The on-call group is mentioned when the incident opens, never on updates."""
    alert = TaskAlert(task_arn=ARN, target="prod", task_id="orders-cdc")
    first = step(alert, seen("orders"), now=T0, policy=POLICY)
    second = step(first.alert, seen("orders"), now=T0 + timedelta(minutes=15), policy=POLICY)
    assert (first.mention, second.mention) == (True, False)


def test_new_problem_tables_are_called_out() -> None:
    """A table joining an open incident is named in the thread."""
    alert = step(
        TaskAlert(task_arn=ARN, target="p", task_id="o"), seen("orders"), now=T0, policy=POLICY
    ).alert
    result = step(alert, seen("orders", "payments"), now=T0 + timedelta(minutes=15), policy=POLICY)
    assert result.effects == (Effect.UPDATE, Effect.NEW_TABLES)
    assert result.new_tables == ("sales.payments",)


def test_reminder_every_remind_every() -> None:
    """While it stays bad, a reminder goes to the thread every remind_every, not more often."""
    h = timedelta(hours=1)
    _, effects = run([(h * i, seen("orders")) for i in range(10)])
    reminders = [i for i, e in enumerate(effects) if Effect.REMINDER in e]
    assert reminders == [4, 8]


def test_snooze_silences_alerts_and_reminders_but_not_recovery() -> None:
    """Snoozed: no post, no reminder, no new-table callout; recovery is still announced."""
    h = timedelta(hours=1)
    _alert, effects = run(
        [
            (0 * h, seen("orders")),
            (1 * h, seen("orders", "x")),
            (5 * h, seen("orders", "y")),
            (6 * h, seen()),
        ],
        snoozed_until=timedelta(hours=2),
    )
    assert effects[0] == ()  # opened while snoozed: not announced
    assert effects[1] == ()
    assert effects[2] == (Effect.POST,)  # still bad after the snooze expired: announced now
    assert effects[3] == (Effect.UPDATE, Effect.RECOVERED)


def test_snoozed_open_alert_recovers_loudly() -> None:
    """An alert posted before someone snoozed it still gets its recovery message."""
    posted = step(TaskAlert(task_arn=ARN, target="p", task_id="o"), seen("orders"), now=T0, policy=POLICY)
    assert posted.effects == (Effect.POST,)
    later = T0 + timedelta(hours=1)
    quiet = step(posted.alert, seen("orders", "x"), now=later, policy=POLICY, snoozed=True)
    assert quiet.effects == (Effect.UPDATE,)  # silent edit only: no new-table callout, no reminder
    recovered = step(quiet.alert, seen(), now=later + timedelta(hours=1), policy=POLICY, snoozed=True)
    assert recovered.effects == (Effect.UPDATE, Effect.RECOVERED)


def test_a_single_check_error_is_not_an_alert() -> None:
    """One throttled sweep is noise; the same task failing to be checked twice in a row alerts."""
    m = timedelta(minutes=15)
    _, effects = run([(0 * m, error()), (1 * m, seen())])
    assert effects == [(), ()]
    _, effects = run([(0 * m, error()), (1 * m, error())])
    assert effects == [(), (Effect.POST,)]


def test_check_errors_keep_an_open_incident_open() -> None:
    """When DMS cannot be read, an open alert is neither resolved nor re-posted."""
    m = timedelta(minutes=15)
    alert, effects = run([(0 * m, seen("orders")), (1 * m, error()), (2 * m, error())])
    assert effects == [(Effect.POST,), (Effect.UPDATE,), (Effect.UPDATE,)]
    assert alert.open and alert.kind == "failure"


def test_task_deleted_resolves_its_alert() -> None:
    """A task that disappears from DMS closes its incident."""
    alert, effects = run([(timedelta(0), seen("orders")), (timedelta(minutes=15), None)])
    assert effects[-1] == (Effect.UPDATE, Effect.RECOVERED)
    assert alert.summary == "task no longer exists"


def test_reopening_starts_a_new_incident_without_the_old_ack() -> None:
    """A second incident is a new post, and the previous acknowledgement does not carry over."""
    m = timedelta(minutes=15)
    alert, _ = run([(0 * m, seen("orders"))])
    alert = replace(alert, acked_by="U1")
    alert = step(alert, seen(), now=T0 + m, policy=POLICY).alert
    result = step(alert, seen("orders"), now=T0 + 2 * m, policy=POLICY)
    assert result.effects == (Effect.POST,)
    assert result.alert.incident == 2 and result.alert.acked_by is None


@given(st.lists(st.sampled_from(["ok", "bad", "err", "gone"]), max_size=30), st.booleans())
def test_posts_and_recoveries_alternate(sequence: list[str], snooze_all: bool) -> None:
    """Whatever happens, posts and recoveries alternate: never two posts for one incident."""
    observed: dict[str, Seen] = {"ok": seen(), "bad": seen("orders"), "err": error(), "gone": None}
    _, effects = run(
        [(timedelta(minutes=15 * i), observed[s]) for i, s in enumerate(sequence)],
        snoozed_until=timedelta(days=365) if snooze_all else None,
    )
    events = [e for step_effects in effects for e in step_effects if e in (Effect.POST, Effect.RECOVERED)]
    assert all(a != b for a, b in itertools.pairwise(events))
    if events:
        assert events[0] is Effect.POST
    if snooze_all:
        assert Effect.POST not in events
