"""The terminal report: grouped by verdict, worst first, capped, and inert in a terminal."""

from __future__ import annotations

from bot.core.models import LAG_UNREADABLE, SERVERLESS_UNLISTED, TaskError
from bot.render.terminal import clean, render_report, summary_line
from tests.support.render.sample import error, failing, ok, report, warning


def test_clean_spaces_line_breaks_and_drops_escape_sequences() -> None:
    """Tabs and newlines become spaces; ESC, BEL and direction overrides are dropped."""
    assert clean("a\tb\nc\x1b[2J\x07\u202ed") == "a b c[2Jd"


def test_clean_clips_to_the_limit_with_an_ellipsis() -> None:
    assert clean("x" * 300, 10) == "x" * 9 + "…"
    assert clean("x" * 10, 10) == "x" * 10


def test_report_lists_failures_warnings_errors_then_healthy_tasks() -> None:
    """Header, summary, then FAILURE, WARNING, ERROR and OK blocks in that order."""
    text = render_report(report([ok(), warning(), failing()], [error(), error(task_id=None)]))
    lines = text.splitlines()
    assert lines[0] == "DMS validation · 2026-11-26T09:00:00Z · FAILURE"
    assert lines[1] == "3 tasks: 1 ok · 1 warning · 1 failure · 2 errors"
    heads = [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]
    assert heads == ["FAILURE", "WARNING", "ERROR", "ERROR", "OK"]
    assert "ERROR    (listing tasks) (prod-eu): AccessDeniedFault: no" in lines
    assert text.endswith("OK       users-cdc (prod-eu) · running · 3 tables\n")


def test_problem_tables_are_capped_at_ten_with_a_summary() -> None:
    text = render_report(report([failing(tables=15)]))
    assert sum(1 for line in text.splitlines() if "Mismatched records     " in line) == 10
    assert "         …and 5 more problem tables" in text.splitlines()


def test_summary_line_says_one_task_and_one_error_in_the_singular() -> None:
    assert summary_line(report([ok()], [error()])) == "1 task: 1 ok · 0 warning · 0 failure · 1 error"


def test_hostile_names_cannot_steer_the_terminal() -> None:
    """A table, task and error full of control characters print as one clean line each."""
    text = render_report(report([failing("orders\x1b[31m\r\nfake")], [error(text="boom\x1b]0;t\x07")]))
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert "orders[31m  fake (prod-eu)" in text


def test_a_target_wide_error_says_what_could_not_be_done() -> None:
    """Listing tasks, reading CDC lag, or listing only the Serverless replications."""
    errors = [
        TaskError("prod-eu", None, "denied", kind=SERVERLESS_UNLISTED),
        TaskError("prod-eu", None, "no CloudWatch", kind=LAG_UNREADABLE),
        TaskError("prod-eu", None, "unreachable", kind="Unavailable"),
    ]
    lines = render_report(report([], errors)).splitlines()
    assert "ERROR    (listing serverless replications) (prod-eu): denied" in lines
    assert "ERROR    (CDC lag) (prod-eu): no CloudWatch" in lines
    assert "ERROR    (listing tasks) (prod-eu): unreachable" in lines
