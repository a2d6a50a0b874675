"""Words several message families share: plurals, name lists, durations, emoji."""

from __future__ import annotations

from datetime import timedelta

from bot.render.words import names, plural, row_emoji, took


def test_plural_uses_the_given_plural_form() -> None:
    assert [plural(1, "table"), plural(0, "table"), plural(2, "mouse", "mice")] == [
        "1 table",
        "0 tables",
        "2 mice",
    ]


def test_names_are_escaped_bold_and_capped_at_ten() -> None:
    listed = names(["<!channel>"] * 12)
    assert listed.count("*&lt;!channel&gt;*") == 10
    assert listed.endswith(" …and 2 more")
    assert names(["a", "b"]) == "*a*, *b*"


def test_took_is_never_negative() -> None:
    assert took(timedelta(seconds=-5)) == "0s"
    assert took(timedelta(hours=1, minutes=30)) == "1h 30m"


def test_an_unknown_verdict_string_is_never_echoed() -> None:
    assert row_emoji("failure") == ":red_circle:"
    assert row_emoji("<!channel>") == ":white_circle:"


def test_resync_reads_as_its_state_and_counts_and_dms_text_is_escaped() -> None:
    from bot.core.models import ProblemTable, Resync, Verdict
    from bot.render.words import problem_line, resync_part

    assert resync_part(None) == "" and resync_part(Resync("Not enabled")) == ""
    assert resync_part(Resync("In progress")) == " · resync In progress"
    done = Resync(
        "Last resync at: 2026-12-06T06:00:00Z", rows_attempted=1000, rows_succeeded=995, rows_failed=5
    )
    assert resync_part(done) == " · resync Last resync at: 2026-12-06T06:00:00Z (995 fixed, 5 failed)"
    assert "&lt;!channel&gt;" in resync_part(Resync("<!channel>"))
    table = ProblemTable(
        "s", "t", Verdict.FAILURE, "r", "Mismatched records", "Table completed", 5, 0, 0, resync=done
    )
    assert problem_line(table).endswith(
        "pending 0 · resync Last resync at: 2026-12-06T06:00:00Z (995 fixed, 5 failed)"
    )
