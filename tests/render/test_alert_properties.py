"""Hostile and arbitrary input for the alert, digest, Home and history renderers: always valid,
always inert (no ping, link or mention that the bot did not make from a checked ID)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alerts import TaskAlert
from bot.core.models import TaskError, TaskVerdict
from bot.core.records import Snooze, VerdictRow
from bot.render.blocks import (
    ack_reply,
    alert_message,
    digest_message,
    history_alt_text,
    history_message,
    home_view,
    new_tables_reply,
    reminder_reply,
    resolved_message,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from tests.render.limits import assert_safe, assert_view_safe
from tests.render.sample import NOW, USER, arn
from tests.render.sample_alerts import alert, row, snooze, sweep
from tests.render.test_hostile import HOSTILE, hostile_verdict
from tests.render.test_properties import SETTINGS, errors, maybe_text, text, verdicts

SMALL = SETTINGS.__class__(SETTINGS, max_examples=40)
LONG_ID = "U" * 300  # looks like a user ID, so it is a (harmless) mention
ALLOWED = [USER, "W0ABC", LONG_ID]
USERS = st.sampled_from([*ALLOWED, "<@U999>", "<!channel>", ""])
arns = st.sampled_from([arn(1), arn(2), "arn:aws:dms:<!x>|:1:task:Z", "", "x" * 3000])
counts = st.integers(min_value=0, max_value=10**12)


def hostile_alert(i: int, name: str) -> TaskAlert:
    return alert(
        name,
        i,
        target=name,
        summary=name,
        tables=(name, name),
        acked_by=name or None,
        task_arn=arn(i) if i % 2 else name,
        kind="error" if i % 3 == 0 else "failure",
    )


def test_alert_messages_for_hostile_names() -> None:
    """Every hostile name in every field of every incident message and reply stays inert."""
    later = NOW + timedelta(hours=5)
    for i, name in enumerate(HOSTILE):
        a = hostile_alert(i, name)
        seen: list[TaskVerdict | TaskError | None] = [
            hostile_verdict(i, name),
            TaskError(target=name, task_id=name, error=name * 3, task_arn=arn(i)),
            None,
        ]
        for s in seen:
            assert_safe(alert_message(a, s, now=NOW, mention=name, snoozed_until=later))
            assert_safe(resolved_message(replace(a, open=False, resolved_at=NOW), s, now=later))
            assert_safe(reminder_reply(a, s, now=later))
        assert_safe(new_tables_reply(a, [name] * 40))
        assert_safe(revalidate_reply(user_id=name, tables=i, requests=i, error=name))
        assert_safe(ack_reply(user_id=name, at=NOW))
        assert_safe(snooze_reply(user_id=name, until=later))
        assert_safe(revalidate_not_possible_message(name))


alerts = st.builds(
    TaskAlert,
    task_arn=arns,
    target=text,
    task_id=text,
    open=st.booleans(),
    kind=st.sampled_from(["failure", "error", "", "<!x>"]),
    summary=text,
    problem_tables=st.lists(text, max_size=5).map(tuple),
    opened_at=st.none() | st.just(NOW - timedelta(hours=3)),
    resolved_at=st.none() | st.just(NOW),
    last_seen_at=st.none() | st.just(NOW),
    acked_by=st.none() | USERS | text,
    acked_at=st.none() | st.just(NOW),
)


@SMALL
@given(alerts, verdicts() | errors | st.none(), st.none() | text | st.just("S0123ABC"), st.booleans())
def test_alert_renderers_are_valid_and_inert(
    a: TaskAlert, seen: TaskVerdict | TaskError | None, mention: str | None, snoozed: bool
) -> None:
    """Alert, resolved and reminder messages hold Slack's limits for any state and input."""
    until = NOW + timedelta(hours=4) if snoozed else None
    assert_safe(alert_message(a, seen, now=NOW, mention=mention, snoozed_until=until), users=ALLOWED)
    assert_safe(resolved_message(a, seen, now=NOW), users=ALLOWED)
    assert_safe(reminder_reply(a, seen, now=NOW), users=ALLOWED)


@SMALL
@given(alerts, st.lists(text, max_size=30), USERS | text, maybe_text, counts, counts)
def test_replies_are_valid_and_inert(
    a: TaskAlert, tables: list[str], user: str, error: str | None, n: int, requests: int
) -> None:
    """Thread replies and refusals hold Slack's limits for any names, users and errors."""
    assert_safe(new_tables_reply(a, tables), users=ALLOWED)
    assert_safe(revalidate_reply(user_id=user, tables=n, requests=requests, error=error), users=ALLOWED)
    assert_safe(ack_reply(user_id=user, at=NOW), users=ALLOWED)
    assert_safe(snooze_reply(user_id=user, until=NOW), users=ALLOWED)
    assert_safe(revalidate_not_possible_message(error or ""), users=ALLOWED)


rows = st.builds(
    row,
    task_id=text,
    n=st.integers(0, 50),
    verdict=st.sampled_from(["ok", "warning", "failure", "error"]) | text,
    failed=counts,
    pending=counts,
    suspended=counts,
    target=text,
    status=text,
    reasons=st.lists(text, max_size=3).map(tuple),
)
snoozes = st.lists(st.builds(snooze, n=st.integers(0, 50), by=USERS | text), max_size=5)


@SMALL
@given(st.lists(rows, max_size=25), st.lists(alerts, max_size=8), snoozes)
def test_digest_and_home_are_valid_and_inert(
    fleet: list[VerdictRow], open_alerts: list[TaskAlert], active: list[Snooze]
) -> None:
    """The digest and the Home tab hold Slack's limits for any rows, alerts and snoozes."""
    by_arn = {s.task_arn: s for s in active}
    assert_safe(digest_message(fleet, open_alerts, by_arn, now=NOW, last_sweep=sweep()), users=ALLOWED)
    assert_view_safe(home_view(fleet, open_alerts, by_arn, now=NOW, last_sweep=None), users=ALLOWED)


@SMALL
@given(text, st.lists(rows, max_size=60))
def test_history_is_valid_and_inert(task_id: str, history: list[VerdictRow]) -> None:
    """The history message holds Slack's limits; the alt text is one clean line ≤1,000."""
    assert_safe(history_message(task_id, history, now=NOW))
    alt = history_alt_text(task_id, history)
    assert 0 < len(alt) <= 1000 and "\n" not in alt
