"""The incident message and its resolved form: content, buttons, and inert output for any input."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.alerts import TaskAlert
from bot.core.models import CdcLatency, TaskError, TaskVerdict
from bot.render.alert import alert_message, resolved_message
from bot.render.alert_replies import (
    ack_reply,
    new_tables_reply,
    reminder_reply,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from bot.render.buttons import SNOOZE_ACTIONS, Action
from tests.support.render.blockutil import all_text, buttons, header_text, of_type, value
from tests.support.render.hostile import HOSTILE, hostile_verdict
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, USER, arn, error, failing, ok, task, verdict
from tests.support.render.sample_alerts import GROUP, OPENED, acked, alert, resolved
from tests.support.render.strategies import ALLOWED, SMALL, alerts, errors, text, verdicts

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
        Action.ACK,
        *SNOOZE_ACTIONS,
        Action.REVALIDATE,
        Action.RECHECK,
        Action.SHOW_TABLES,
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


def test_alert_shows_the_cdc_lag_beside_the_task_facts() -> None:
    seen = replace(failing(), cdc_latency=CdcLatency(source_seconds=0, target_seconds=5400))
    assert "CDC lag source 0s, target 1h 30m" in all_text(alert_message(alert(), seen, now=NOW))
    assert "CDC lag" not in all_text(alert_message(alert(), failing(), now=NOW))
