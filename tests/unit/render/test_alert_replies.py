"""Replies in an incident's thread and the answers to its buttons, including the Revalidate refusals."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alerts import TaskAlert
from bot.render.alert_replies import (
    ack_reply,
    new_tables_reply,
    not_operator_message,
    recovered_reply,
    reminder_reply,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from tests.support.render.blockutil import all_text
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, USER, failing
from tests.support.render.sample_alerts import alert, resolved
from tests.support.render.strategies import ALLOWED, SMALL, USERS, alerts, counts, maybe_text, text


def test_thread_replies() -> None:
    """Reminder, new tables, recovered, ack and snooze replies say what happened, safely."""
    later = NOW + timedelta(hours=4)
    reminder = reminder_reply(alert(), failing(), now=later)
    assert all_text(reminder).startswith(":alarm_clock: Still failing after 5h 30m.")
    assert "Now: 2 tables Mismatched records" in all_text(reminder)
    tables = new_tables_reply(alert(), ["sales.a", "sales.b", "sales.c"])
    assert all_text(tables) == ":new: 3 more tables failing: *sales.a*, *sales.b*, *sales.c*"
    assert tables.text == "orders-cdc: 3 more tables failing"
    assert (
        all_text(recovered_reply(resolved(alert()), now=later))
        == ":white_check_mark: Recovered after 1h 30m."
    )
    assert f"<@{USER}> acknowledged this <!date^" in all_text(ack_reply(user_id=USER, at=NOW))
    assert f"<@{USER}> snoozed this task until <!date^" in all_text(snooze_reply(user_id=USER, until=later))
    for msg in (reminder, tables, ack_reply(user_id=USER, at=NOW), snooze_reply(user_id=USER, until=later)):
        assert_safe(msg, users=[USER])


def test_new_tables_reply_caps_and_escapes_names() -> None:
    """Twelve hostile names: ten shown escaped, then "…and 2 more"."""
    msg = new_tables_reply(alert(), ["<!channel>"] * 12)
    assert_safe(msg)
    assert all_text(msg).count("*&lt;!channel&gt;*") == 10
    assert all_text(msg).endswith("…and 2 more")


def test_revalidate_outcomes() -> None:
    """Success names tables and requests; a failure says so with the escaped error."""
    done = revalidate_reply(user_id=USER, tables=23, requests=3, error=None)
    assert all_text(done) == (
        f":repeat: <@{USER}> asked DMS to re-validate 23 tables (3 ReloadTables requests)."
    )
    failed = revalidate_reply(user_id=USER, tables=23, requests=1, error="Throttling <!here>")
    assert "failed after 1 ReloadTables request: Throttling &lt;!here&gt;" in all_text(failed)
    for msg in (done, failed):
        assert_safe(msg, users=[USER])


def test_revalidate_refusals() -> None:
    """A non-operator is told who may; an impossible request says why (escaped)."""
    refusal = not_operator_message()
    assert_safe(refusal)
    assert "operators" in all_text(refusal)
    impossible = revalidate_not_possible_message("task is <stopped>")
    assert_safe(impossible)
    assert "Nothing to revalidate: task is &lt;stopped&gt;." in all_text(impossible)


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
