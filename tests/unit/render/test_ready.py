"""The cutover gate in Block Kit: a mark per check (pass, fail, unknown, skip), blockers first, every DMS text escaped, inside
Slack's limits whatever DMS returns; the watch's thread posts and the workflow step's outputs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.readiness import CheckName, CheckStatus
from bot.render.buttons import Action
from bot.render.ready import (
    already_watching_message,
    ready_message,
    ready_summary,
    step_outputs,
    turned_not_ready_reply,
    turned_ready_reply,
    watch_anchor_message,
    watch_expired_reply,
    watch_gone_reply,
)
from tests.support.readiness import LAGGING, READY, T0, readiness
from tests.support.render.blockutil import all_text, buttons, header_text
from tests.support.render.hostile import HOSTILE
from tests.support.render.limits import assert_no_injected_markup, assert_within_slack_limits

MIXED = readiness(
    (CheckName.TASK_RUNNING, CheckStatus.PASS, "running, in CDC"),
    (CheckName.CDC_LATENCY, CheckStatus.FAIL, "CDCLatencyTarget 41 s at 09:12 > 5 s"),
    (CheckName.FAILED_ROWS, CheckStatus.UNKNOWN, "orders-target: cannot connect"),
    (CheckName.RESYNC, CheckStatus.SKIP, "data resync is not enabled"),
    caveats=("LOB columns are not fully validated (LimitedSizeLobMode)",),
)


def check_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:1] in "✓✗?\u2013"]


def test_each_check_has_its_mark_and_blockers_come_first() -> None:
    message = ready_message(MIXED)
    lines = check_lines(all_text(message))
    assert [line.split(" ")[0] for line in lines] == ["✗", "?"] + ["✓"] * 6 + ["\u2013"]
    assert lines[0] == "✗ *cdc_latency* — CDCLatencyTarget 41 s at 09:12 &gt; 5 s"
    assert lines[-1].startswith("\u2013 *resync*")
    assert header_text(message) == ":vertical_traffic_light: Cutover gate"
    assert "not ready to cut over: 2 blockers" in all_text(message)
    assert "LOB columns are not fully validated" in all_text(message)
    assert "☐ Sequences reset on the target" in all_text(message)
    assert buttons(message)["Tell me when ready"]["action_id"] == Action.WATCH_READY


def test_a_watched_task_names_the_watcher_and_offers_no_button() -> None:
    message = ready_message(LAGGING, watched_by="U0ALICE", since=T0, until=T0 + timedelta(hours=4))
    assert "<@U0ALICE> is watching since" in all_text(message) and "Tell me when ready" not in buttons(
        message
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_dms_text_is_shown_never_obeyed_and_fits(name: str) -> None:
    r = readiness(
        (CheckName.TABLES_HEALTHY, CheckStatus.FAIL, name),
        (CheckName.CDC_LATENCY, CheckStatus.UNKNOWN, name * 3),
        task_id=name,
        caveats=(name,) * 30,
        checklist=(name,) * 30,
    )
    for message in (
        ready_message(r, watched_by=name, since=T0, until=T0),
        watch_anchor_message(r, task_id=name, started_by=name, until=T0),
        turned_ready_reply(r, max_lag=5, steady=300, started_by=name),
        turned_not_ready_reply(r, started_by=name),
        watch_expired_reply(task_id=name, started_by=name, watched_for=3600, ready=None),
        already_watching_message(task_id=name, started_by=name, since=T0, until=T0),
        watch_gone_reply(task_id=name, started_by=name),
    ):
        assert_within_slack_limits(message)
        assert_no_injected_markup(message)


def test_the_green_post_is_the_one_sentence_the_team_waits_for() -> None:
    summary = ready_summary(READY, max_lag=5, steady=300)
    assert (
        summary
        == "orders-cdc is ready to cut over: lag ≤ 5 s for 5 min, 1,204 tables validated, 0 failed rows"
    )
    reply = turned_ready_reply(READY, max_lag=5, steady=300, started_by="U0ALICE")
    assert reply.text == summary and "<@U0ALICE>" in all_text(reply)
    assert "☐ Sequences reset on the target" in all_text(reply)


def test_the_green_sentence_says_what_was_not_read_and_keeps_other_wording() -> None:
    r = readiness(
        (CheckName.VALIDATION_COMPLETE, CheckStatus.PASS, "every table Validated"),
        (CheckName.FAILED_ROWS, CheckStatus.SKIP, "not read: no [[databases]] entry"),
        task_id="inventory-cdc",
    )
    assert ready_summary(r, max_lag=30, steady=3600) == (
        "inventory-cdc is ready to cut over: lag ≤ 30 s for 1h, every table Validated, failed rows not read"
    )
    one = readiness((CheckName.VALIDATION_COMPLETE, CheckStatus.PASS, "1 of 1 tables Validated, 0 failed"))
    assert ", 1 table validated, 0 failed rows" in ready_summary(one, max_lag=5, steady=600)
    assert "lag ≤ 5 s for 10 min" in ready_summary(one, max_lag=5, steady=600)


def test_the_red_post_lists_the_blockers() -> None:
    reply = turned_not_ready_reply(MIXED, started_by="U0ALICE")
    text = all_text(reply)
    assert "not ready to cut over any more" in text
    assert "✗ cdc_latency: CDCLatencyTarget 41 s at 09:12 &gt; 5 s" in text
    assert "✗ failed_rows: orders-target: cannot connect" in text


def test_the_expiry_post_says_how_it_stood_and_how_to_watch_again() -> None:
    reply = watch_expired_reply(task_id="orders-cdc", started_by="U0ALICE", watched_for=4 * 3600, ready=False)
    assert "after 4h: it was not ready at the last check" in all_text(reply)
    assert "`/dms ready orders-cdc watch`" in all_text(reply)


def test_the_step_outputs_are_plain_text_with_a_boolean() -> None:
    assert step_outputs(READY, max_lag=5, steady=300) == {
        "ready": True,
        "summary": "orders-cdc is ready to cut over: lag ≤ 5 s for 5 min, 1,204 tables validated, 0 failed rows",
        "blockers": "",
    }
    out = step_outputs(MIXED, max_lag=5, steady=300)
    assert out["ready"] is False and out["summary"] == "orders-cdc is not ready to cut over: 2 blockers"
    assert (
        out["blockers"]
        == "cdc_latency: CDCLatencyTarget 41 s at 09:12 > 5 s\nfailed_rows: orders-target: cannot connect"
    )
