"""Short answers: help, unknown or ambiguous task, denied, errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.render.help import (
    ambiguous_task_message,
    denied_message,
    error_message,
    help_message,
    unknown_task_message,
)
from tests.support.render.blockutil import all_text
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW
from tests.support.render.strategies import SETTINGS, text


def test_help_lists_every_subcommand() -> None:
    """help, status, status <task>, tables <task> [state] and check [task], one line each."""
    msg = help_message()
    assert_safe(msg)
    text = all_text(msg)
    for usage in (
        "`/dms help`",
        "`/dms status`",
        "`/dms status &lt;task&gt;`",
        "`/dms tables &lt;task&gt; [state]`",
        "`/dms check [task]`",
    ):
        assert usage in text


def test_unknown_task_suggests_close_names() -> None:
    """An unknown name is echoed (escaped) with the suggestions."""
    msg = unknown_task_message("<!here>", ["orders-cdc", "orders-full"])
    assert_safe(msg)
    assert "No task called *&lt;!here&gt;*. Did you mean *orders-cdc*, *orders-full*?" in all_text(msg)


def test_unknown_task_without_suggestions() -> None:
    """No suggestions: still points at `/dms status`."""
    assert "`/dms status` lists every task" in all_text(unknown_task_message("zzz", []))


def test_ambiguous_task_lists_candidates_capped() -> None:
    """An ambiguous prefix lists candidates, at most ten, then "…and N more"."""
    msg = ambiguous_task_message("ord", [f"orders-{i}" for i in range(14)])
    assert_safe(msg)
    text = all_text(msg)
    assert "*ord* matches 14 tasks: *orders-0*" in text
    assert "…and 4 more" in text


def test_denied_is_short_and_says_what_to_ask_for() -> None:
    """A refused user learns which allow-lists an admin can change."""
    msg = denied_message()
    assert_safe(msg)
    text = all_text(msg)
    assert "not allowed" in text and "`allowed_users`" in text and "`allowed_channels`" in text
    assert len(text) < 200


def test_error_message_with_older_data() -> None:
    """An error says what went wrong and, when given, how old the data shown is."""
    msg = error_message("DMS is throttling requests <retry>", data_from=NOW)
    assert_safe(msg)
    assert all_text(msg).startswith(
        ":warning: DMS is throttling requests &lt;retry&gt; Showing data from <!date^"
    )


@SETTINGS
@given(text, st.lists(text, max_size=30))
def test_short_answers_are_valid_and_inert(name: str, names: list[str]) -> None:
    """Unknown/ambiguous task, errors and progress lines hold Slack's limits for any input."""
    assert_safe(unknown_task_message(name, names))
    assert_safe(ambiguous_task_message(name, names))
    assert_safe(error_message(name, data_from=NOW))
