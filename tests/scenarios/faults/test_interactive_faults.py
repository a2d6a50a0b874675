"""People asking while DMS misbehaves: ``/dms`` and the buttons always answer, briefly and honestly
(DMS is throttling, and the data shown is from the last sweep at a given time), never with silence,
a stack trace or a wrong "unknown task"."""

from __future__ import annotations

import json

from bot.render.buttons import Action
from bot.sim import FaultRule
from tests.scenarios.faults.conftest import MakeBot
from tests.support.inprocess import answer_text
from tests.support.render.limits import assert_safe

STATS = "DescribeTableStatistics"
LIST = "DescribeReplicationTasks"


def test_status_while_dms_throttles_shows_the_last_sweep_and_says_so(make_bot: MakeBot) -> None:
    """``/dms status crm-cdc`` under throttling: the last sweep's verdict, labelled with its time."""
    bot = make_bot()
    bot.sweep()
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS)])
    answer = bot.command("status crm-cdc")
    text = answer_text(answer)
    assert answer.status == 200 and answer.body is not None
    assert_safe(answer.body)
    assert "DMS is throttling" in text
    assert "last sweep" in text and "2026-11-26T09:15:00Z" in text  # the data's time, for every reader
    assert "Traceback" not in text


def test_check_while_dms_throttles_before_any_sweep_says_so(make_bot: MakeBot) -> None:
    """No sweep yet and every DMS call throttled: an honest "DMS is throttling" line, not "unknown task"."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="throttle")])
    text = answer_text(bot.command("check crm-cdc"))
    assert "DMS is throttling" in text or "could not list" in text
    assert "No task" not in text and "unknown" not in text.lower()


def test_tables_while_dms_throttles(make_bot: MakeBot) -> None:
    """``/dms tables`` under throttling: "DMS is throttling… the last complete sweep is from …"."""
    bot = make_bot()
    bot.sweep()
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS)])
    answer = bot.command("tables billing-cdc")
    assert answer.body is not None
    assert_safe(answer.body)
    text = answer_text(answer)
    assert "DMS is throttling" in text and "2026-11-26 09:15" in text


def test_fleet_status_while_dms_is_down_shows_the_last_sweep(make_bot: MakeBot) -> None:
    """``/dms status`` answers from the last sweep without calling DMS, whatever DMS is doing."""
    bot = make_bot()
    bot.sweep()
    bot.sim.set_faults([FaultRule(kind="http_503")])
    calls = bot.sim.total_calls()
    answer = bot.command("status")
    assert answer.body is not None
    assert_safe(answer.body)
    assert "billing-cdc" in answer_text(answer)
    assert bot.sim.total_calls() == calls


def test_recheck_button_while_dms_is_unreachable(make_bot: MakeBot) -> None:
    """Re-check under persistent 503s: the message says the task could not be checked, and why."""
    bot = make_bot()
    report = bot.sweep()
    arn = next(v.task.arn for v in report.tasks if v.task.identifier == "orders-cdc")
    bot.sim.set_faults([FaultRule(kind="http_503", op=STATS)])
    value = json.dumps({"scope": "task", "task": arn})
    bot.click(Action.RECHECK, value, channel_id="C0123456789", message_ts="1.2")
    [update] = [u for u in bot.slack.requests("chat.update") if u.params["ts"] == "1.2"][-1:]
    shown = json.dumps(update.params)
    assert "could not be checked" in shown and "503" in shown


def test_show_tables_while_dms_throttles(make_bot: MakeBot) -> None:
    """ "Show tables" under throttling, with no cached verdict: the honest throttling message."""
    bot = make_bot()
    report = bot.sweep()
    arn = next(v.task.arn for v in report.tasks if v.task.identifier == "billing-cdc")
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS)])
    [answer] = bot.click(Action.SHOW_TABLES, json.dumps({"scope": "task", "task": arn}))
    assert answer.body is not None
    assert_safe(answer.body)
    text = answer_text(answer)
    assert "could not be checked" in text or "DMS is throttling" in text
