"""The scheduled channel report and ``/dms status``: content, order, buttons, and limits for any fleet."""

from __future__ import annotations

from hypothesis import given

from bot.core.models import Report, TaskError
from bot.render.buttons import Action
from bot.render.edits import rechecking_message
from bot.render.plain_text import blocks_to_text
from bot.render.report import fleet_message, report_message
from bot.render.task import problem_tables_message
from tests.support.render import sample
from tests.support.render.blockutil import all_text, buttons, header_text, of_type, value
from tests.support.render.hostile import HOSTILE, hostile_fleet
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, USER, arn, error, failing, ok, report, warning
from tests.support.render.strategies import SETTINGS, fleets, text


def test_healthy_report_counts_tasks_without_listing_them() -> None:
    """All-green: a green header with the count, no per-task sections, only Re-check."""
    msg = report_message(report([ok("a", 1), ok("b", 2), ok("c", 3)]))
    assert_safe(msg)
    assert header_text(msg) == ":large_green_circle: DMS validation: all 3 tasks healthy"
    assert "*3 tasks:* 3 ok" in all_text(msg)
    assert "a" not in [line.split()[0] for line in all_text(msg).splitlines()]
    assert "console.aws.amazon.com" not in all_text(msg)
    assert list(buttons(msg)) == ["Re-check"]
    assert msg.text == "DMS validation: all 3 tasks healthy"


def test_failing_report_shows_tasks_reasons_tables_and_links() -> None:
    """A failing task gets a linked title, its reasons, state counts and worst tables."""
    msg = report_message(report([failing("orders-cdc", 1), ok("users-cdc", 3)]))
    assert_safe(msg)
    assert header_text(msg) == ":red_circle: DMS validation: 1 task failing"
    text = all_text(msg)
    url = "https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/orders-cdc"
    assert f"*<{url}|orders-cdc>* · prod-eu" in text
    assert "• 2 tables Mismatched records" in text
    assert "By validation state: Validated 3 · Mismatched records 2" in text
    assert "• sales.bad1 — Mismatched records · failed 11 · suspended 0 · pending 0" in text
    assert "users-cdc" not in text
    assert "orders-cdc" in msg.text


def test_failures_come_before_warnings_and_worst_first() -> None:
    """Sections run failures (most bad records first), then warnings."""
    msg = report_message(
        report([warning("warn", 5), failing("small", 1, tables=1), failing("big", 2, tables=4)])
    )
    text = all_text(msg)
    assert text.index("|big>") < text.index("|small>") < text.index("|warn>")
    assert header_text(msg) == ":red_circle: DMS validation: 2 tasks failing"


def test_warning_only_report_has_yellow_header() -> None:
    """Warnings alone are not a failure: a yellow header naming how many."""
    msg = report_message(report([warning("w", 1), ok("o", 2)]))
    assert header_text(msg) == ":large_yellow_circle: DMS validation: 1 of 2 tasks with warnings"


def test_errors_are_listed_with_their_text() -> None:
    """Tasks that could not be checked are named with the error, after the task sections."""
    msg = report_message(report([failing()], [error("audit-cdc", 9, "ThrottlingException: slow down")]))
    assert_safe(msg)
    text = all_text(msg)
    assert "*Could not check:*\n• *audit-cdc* (prod-eu): ThrottlingException: slow down" in text
    assert text.index("orders-cdc") < text.index("audit-cdc")
    assert header_text(msg) == ":red_circle: DMS validation: 1 task failing, 1 task not checked"


def test_recheck_value_lists_the_reports_tasks() -> None:
    """Re-check carries the ARNs of every task in the report (errors included)."""
    msg = report_message(report([failing("a", 1), ok("b", 2)], [error("c", 3)]))
    assert value(msg, "Re-check") == {"scope": "tasks", "tasks": [arn(1), arn(2), arn(3)]}
    assert buttons(msg)["Re-check"]["action_id"] == Action.RECHECK
    assert value(msg, "Show tables") == {"scope": "tasks", "tasks": [arn(1)]}
    assert buttons(msg)["Show tables"]["action_id"] == Action.SHOW_TABLES


def test_recheck_falls_back_to_all_when_arns_do_not_fit() -> None:
    """Too many ARNs for a 2,000-character value (or a target-level error) means scope "all"."""
    msg = report_message(report([ok(f"t{i}", i) for i in range(100)]))
    assert value(msg, "Re-check") == {"scope": "all"}
    msg = report_message(report([ok()], [error(None)]))
    assert value(msg, "Re-check") == {"scope": "all"}


def test_context_shows_sweep_time_and_who_rechecked() -> None:
    """The context line carries <!date^…> tokens and the clicking user's mention."""
    msg = report_message(report([failing()]), rechecked_by=USER, rechecked_at=NOW)
    assert_safe(msg, users=[USER])
    (ctx,) = of_type(msg, "context")
    line = ctx["elements"][0]["text"]
    assert line.startswith("Checked <!date^1795683600^")
    assert f"re-checked by <@{USER}> <!date^1795683600^" in line


def test_big_fleet_is_summarised_not_rejected() -> None:
    """More problem tasks than fit: a "…and N more tasks with problems" line, footer kept."""
    msg = report_message(report([failing(f"task-{i:03}", i, tables=40) for i in range(120)]))
    assert_safe(msg)
    text = all_text(msg)
    assert "more tasks with problems — use `/dms status`" in text
    assert of_type(msg, "actions") and msg.blocks[-1]["type"] == "actions"
    assert header_text(msg) == ":red_circle: DMS validation: 120 tasks failing"


def test_empty_report() -> None:
    """No tasks at all still renders a valid message saying so."""
    msg = report_message(report())
    assert_safe(msg)
    assert header_text(msg) == ":white_circle: DMS validation: no tasks found"


def test_fleet_lists_every_task_worst_first() -> None:
    """``/dms status``: failures, warnings, errors, then healthy tasks, one line each."""
    msg = fleet_message(report([ok("fine", 1), warning("meh", 2), failing("bad", 3)], [error("err", 4)]))
    assert_safe(msg)
    text = all_text(msg)
    assert text.index("|bad>") < text.index("|meh>") < text.index("*err*") < text.index("|fine>")
    assert value(msg, "Re-check") == {"scope": "all"}
    assert value(msg, "Share in channel") == {"command": "status"}
    assert buttons(msg)["Share in channel"]["action_id"] == Action.SHARE


def test_fleet_is_capped_with_a_more_line() -> None:
    """A fleet of 600 tasks shows what fits and says how many more there are."""
    msg = fleet_message(report([sample.ok(f"t{i}", i) for i in range(600)]))
    assert_safe(msg)
    assert "more — use `/dms status &lt;task&gt;` for one task" in all_text(msg)


def test_many_small_sections_respect_the_50_block_cap() -> None:
    """Tasks whose sections are short hit the block cap before the text budget: still ≤ 50."""
    stopped = [sample.verdict(sample.task(f"t{i}", n=i, status="failed"), []) for i in range(200)]
    msg = report_message(report(stopped))
    assert_safe(msg)
    assert len(msg.blocks) == 50
    assert "more tasks with problems" in all_text(msg)


def test_report_for_300_hostile_failing_tasks_stays_within_limits() -> None:
    """300 failing tasks with hostile names: ≤50 blocks, every per-block limit, <12k text, inert."""
    errors = [TaskError(target=n, task_id=n, error=n * 3, task_arn=arn(i)) for i, n in enumerate(HOSTILE)]
    msg = report_message(report(hostile_fleet(), errors), rechecked_by=USER, rechecked_at=NOW)
    assert_safe(msg, users=[USER])
    assert (
        header_text(msg)
        == f":red_circle: DMS validation: 300 tasks failing, {len(HOSTILE)} tasks not checked"
    )
    assert "more tasks with problems — use `/dms status`" in all_text(msg)
    assert "*Could not check:*" in all_text(msg)


def test_fleet_and_problem_tables_for_hostile_fleet() -> None:
    """``/dms status`` and "Show tables" over the same fleet stay within limits and inert."""
    fleet = hostile_fleet()
    assert_safe(fleet_message(report(fleet)))
    assert_safe(problem_tables_message(fleet))


@SETTINGS
@given(fleets, text)
def test_fleet_renderers_are_valid_and_inert(report: Report, clicker: str) -> None:
    """Report, fleet, problem tables and re-checking views hold Slack's limits for any input."""
    rechecked = report_message(report, rechecked_by=USER, rechecked_at=NOW)
    assert_safe(rechecked, users=[USER])
    assert_safe(report_message(report))
    assert_safe(fleet_message(report))
    assert_safe(problem_tables_message(report.tasks))
    assert_safe(rechecking_message(rechecked, user_id=clicker, at=NOW), users=[USER, clicker])
    assert "<!date^" not in blocks_to_text(rechecked)
