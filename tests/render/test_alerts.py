"""The incident message, its resolved form, its thread replies and the Revalidate refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.render.actions import (
    ACK,
    ALL_ACTIONS,
    RECHECK,
    REVALIDATE,
    SHOW_TABLES,
    SNOOZE_ACTION_PATTERN,
    SNOOZE_ACTIONS,
)
from bot.render.blocks import (
    ack_reply,
    alert_message,
    new_tables_reply,
    not_operator_message,
    recovered_reply,
    reminder_reply,
    resolved_message,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from tests.render.blockutil import all_text, buttons, header_text, of_type, value
from tests.render.limits import assert_safe
from tests.render.sample import NOW, USER, arn, error, failing, ok, task, verdict
from tests.render.sample_alerts import GROUP, OPENED, acked, alert, resolved

URL = "https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/orders-cdc"
TASK = {"task": arn(1)}
SCOPE = {"scope": "task", "task": arn(1)}


def test_alert_names_the_task_and_its_evidence() -> None:
    """Header, linked task and target, reasons, state counts and worst tables; fallback says why."""
    msg = alert_message(alert(), failing("orders-cdc", 1), now=NOW)
    assert_safe(msg)
    assert header_text(msg) == ":red_circle: DMS task failing"
    text = all_text(msg)
    assert f"*<{URL}|orders-cdc>* · prod-eu" in text
    assert "• 2 tables Mismatched records" in text
    assert "Validated 3 · Mismatched records 2" in text
    assert "• sales.bad1 — Mismatched records · failed 11" in text
    assert msg.text == "orders-cdc is failing: 2 tables Mismatched records"


def test_alert_context_says_since_when_and_last_check() -> None:
    """ "Failing since <date> (for 1h 30m) · last checked <date>"; no ack or snooze line by default."""
    msg = alert_message(alert(), failing("orders-cdc", 1), now=NOW)
    (ctx,) = of_type(msg, "context")
    line = ctx["elements"][0]["text"]
    assert line.startswith(f"Failing since <!date^{int(OPENED.timestamp())}^")
    assert "(for 1h 30m) · last checked <!date^" in line
    assert "Acknowledged" not in all_text(msg) and "Snoozed" not in all_text(msg)


def test_alert_buttons_and_values() -> None:
    """Acknowledge, three snoozes, Revalidate, Re-check and Show tables, each carrying the task."""
    msg = alert_message(alert(), failing("orders-cdc", 1), now=NOW)
    found = buttons(msg)
    assert list(found) == [
        "Acknowledge",
        "Snooze 1h",
        "Snooze 4h",
        "Snooze 24h",
        "Revalidate",
        "Re-check",
        "Show tables",
    ]
    assert [b["action_id"] for b in found.values()] == [
        ACK,
        *SNOOZE_ACTIONS,
        REVALIDATE,
        RECHECK,
        SHOW_TABLES,
    ]
    assert value(msg, "Acknowledge") == TASK
    for hours in (1, 4, 24):
        assert value(msg, f"Snooze {hours}h") == {"task": arn(1), "hours": hours}
    assert value(msg, "Revalidate") == TASK
    assert value(msg, "Re-check") == SCOPE
    assert value(msg, "Show tables") == SCOPE


def test_revalidate_has_a_danger_style_and_a_confirm_dialog() -> None:
    """The dialog names how many failing tables DMS will re-validate, in plain text ≤300."""
    msg = alert_message(alert(), failing("orders-cdc", 1, tables=23), now=NOW)
    revalidate = buttons(msg)["Revalidate"]
    assert revalidate["style"] == "danger"
    dialog = revalidate["confirm"]
    assert dialog["title"] == {"type": "plain_text", "text": "Revalidate tables?"}
    assert dialog["text"]["type"] == "plain_text"
    assert "re-validate 23 failing tables" in dialog["text"]["text"]
    assert "ReloadTables, validate-only" in dialog["text"]["text"]
    assert len(dialog["text"]["text"]) <= 300
    assert dialog["confirm"]["text"] == "Revalidate" and dialog["deny"]["text"] == "Cancel"


def test_revalidate_hidden_without_failing_tables() -> None:
    """A task failing for its status alone (no failing tables) offers no Revalidate."""
    stopped = verdict(task("orders-cdc", status="failed"), [])
    msg = alert_message(alert(tables=()), stopped, now=NOW)
    assert_safe(msg)
    assert "Revalidate" not in buttons(msg)
    assert "Acknowledge" in buttons(msg)


def test_mention_only_when_passed() -> None:
    """The on-call group is mentioned on the first post only, and only a real ``S…`` ID pings."""
    first = alert_message(alert(), failing(), now=NOW, mention=GROUP)
    assert_safe(first)
    assert f"<!subteam^{GROUP}>" in all_text(first)
    assert first.text.startswith(f"<!subteam^{GROUP}> orders-cdc is failing")
    update = alert_message(alert(), failing(), now=NOW)
    assert "subteam" not in all_text(update) + update.text
    forged = alert_message(alert(), failing(), now=NOW, mention="<!channel>")
    assert_safe(forged)
    assert "&lt;!channel&gt;" in all_text(forged)


def test_acknowledged_and_snoozed_alert() -> None:
    """Once acked, Acknowledge disappears and who/when shows; a snooze shows until when."""
    until = NOW + timedelta(hours=4)
    msg = alert_message(acked(alert()), failing(), now=NOW, snoozed_until=until)
    assert_safe(msg, users=[USER])
    assert "Acknowledge" not in buttons(msg)
    assert "Snooze 4h" in buttons(msg)
    text = all_text(msg)
    assert f"Acknowledged by <@{USER}> <!date^" in text
    assert f":zzz: Snoozed until <!date^{int(until.timestamp())}^" in text


def test_uncheckable_alert() -> None:
    """An error incident says it cannot be checked, with the (escaped) error."""
    msg = alert_message(alert(kind="error"), error("orders-cdc", 1, "AccessDenied <x>"), now=NOW)
    assert_safe(msg)
    assert header_text(msg) == ":warning: DMS task cannot be checked"
    assert "could not be checked:\nAccessDenied &lt;x&gt;" in all_text(msg)
    assert "Cannot be checked since" in all_text(msg)
    assert msg.text == "orders-cdc cannot be checked: AccessDenied &lt;x&gt;"


def test_alert_for_a_vanished_task() -> None:
    """With nothing seen (task gone), the message says so and offers no Revalidate."""
    msg = alert_message(alert(), None, now=NOW)
    assert_safe(msg)
    assert "no longer exists" in all_text(msg)
    assert "Revalidate" not in buttons(msg)


def test_resolved_message_is_calm() -> None:
    """Green header, when and after how long, what was wrong, who acked; only Show tables."""
    msg = resolved_message(resolved(acked(alert())), ok("orders-cdc", 1), now=NOW + timedelta(hours=1))
    assert_safe(msg, users=[USER])
    assert header_text(msg) == ":large_green_circle: Resolved"
    text = all_text(msg)
    assert f"Recovered <!date^{int(NOW.timestamp())}^" in text
    assert "after 1h 30m." in text
    assert "*What was wrong:* 2 tables Mismatched records" in text
    assert f"Acknowledged by <@{USER}>" in text
    assert list(buttons(msg)) == ["Show tables"]
    assert msg.text == "orders-cdc recovered after 1h 30m"


def test_resolved_because_the_task_is_gone() -> None:
    """A deleted task resolves the incident with "no longer exists" and no buttons."""
    gone = replace(resolved(alert()), summary="task no longer exists")
    msg = resolved_message(gone, None, now=NOW)
    assert_safe(msg)
    assert "The task no longer exists" in all_text(msg)
    assert "What was wrong" not in all_text(msg)
    assert buttons(msg) == {}


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


def test_snooze_action_ids_are_registered() -> None:
    """The three snooze ids are distinct, listed in ALL_ACTIONS and matched by the pattern."""
    assert SNOOZE_ACTIONS == ("dms_snooze_1", "dms_snooze_4", "dms_snooze_24")
    assert set(SNOOZE_ACTIONS) <= set(ALL_ACTIONS)
    assert all(SNOOZE_ACTION_PATTERN.match(a) for a in SNOOZE_ACTIONS)
    assert not SNOOZE_ACTION_PATTERN.match("dms_snooze_2")
