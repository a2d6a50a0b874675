"""The message builder: block and text budgets enforced as blocks are added."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError

from bot.render.kit import (
    TEXT_BUDGET,
    Builder,
    SlackMessage,
    button,
    header,
    join_lines,
    message,
    section,
    text_size,
)
from tests.support.render.limits import assert_within_slack_limits


def test_slack_sdk_models_raise_on_limits() -> None:
    """Blocks go through slack_sdk's models, so an over-long section fails loudly in tests."""
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    with pytest.raises(SlackObjectFormationError):
        SectionBlock(text=MarkdownTextObject(text="x" * 3001)).to_dict()


def test_constructors_clip_to_limits() -> None:
    """header/section clip their text to 150 / 3,000 characters instead of raising."""
    assert len(header("h" * 500)["text"]["text"]) == 150
    assert len(section("s" * 5000)["text"]["text"]) == 3000


def test_button_with_unencodable_value_is_none() -> None:
    """A value over 2,000 characters gives no button rather than an error."""
    assert button("Go", "dms_share", {"command": "x" * 300}) is None
    made = button("Go", "dms_share", {"command": "status"})
    assert made is not None and made.value == '{"command":"status"}'


def test_builder_is_all_or_nothing_and_respects_reserve() -> None:
    """add() adds every block or none, and keeps room for the reserved footer."""
    builder = Builder(max_blocks=3)
    footer = [section("footer")]
    assert builder.add(section("a"), section("b"), reserve=footer)
    assert not builder.add(section("c"), reserve=footer)
    assert builder.add(*footer)
    assert len(builder.blocks) == 3


def test_builder_counts_text() -> None:
    """The text budget counts every text object, UTF-16 units included."""
    builder = Builder(budget=10)
    assert builder.add(section("🚀" * 5))
    assert builder.used == 10
    assert not builder.add(section("x"))


def test_add_lines_packs_and_summarises() -> None:
    """Lines pack into ≤3,000-character sections; what does not fit becomes "…and N more"."""
    builder = Builder()
    lines = [f"line {i} " + "x" * 200 for i in range(200)]
    shown = builder.add_lines(lines, more=lambda n: f"…and {n} more")
    msg = builder.build("fallback")
    assert_within_slack_limits(msg)
    assert 0 < shown < 200
    assert msg.blocks[-1]["elements"][0]["text"] == f"…and {200 - shown} more"
    assert text_size(msg.blocks) <= TEXT_BUDGET


def test_add_lines_all_fit() -> None:
    """When everything fits there is no "more" line."""
    builder = Builder()
    assert builder.add_lines(["a", "b"], more=lambda n: f"{n} more") == 2
    assert builder.blocks == [section("a\nb")]


def test_join_lines_stops_on_a_line_boundary() -> None:
    """join_lines keeps whole lines and marks the cut with "…"."""
    assert join_lines(["aaaa", "bbbb", "cccc"], 12) == "aaaa\nbbbb\n…"
    assert join_lines(["aaaa", "bbbb", "cccc"], 10) == "aaaa\n…"
    assert join_lines(["a", "b"]) == "a\nb"


def test_message_fallback_is_never_empty_or_too_long() -> None:
    """The notification text is always set and at most 3,000 characters."""
    assert message("", []).text
    assert len(message("y" * 5000, []).text) == 3000
    assert SlackMessage("t", []).to_dict() == {"text": "t", "blocks": []}
