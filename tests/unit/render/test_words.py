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
