"""Short answers and the re-checking / shared transformations of a sent message."""

from __future__ import annotations

from bot.render.actions import SHARE
from bot.render.blocks import (
    ambiguous_task_message,
    denied_message,
    error_message,
    help_message,
    rechecking_message,
    report_message,
    shared_message,
    task_message,
    unknown_task_message,
)
from bot.render.kit import section
from tests.render.blockutil import all_text, buttons, of_type
from tests.render.limits import assert_safe
from tests.render.sample import NOW, USER, failing, report


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


def test_rechecking_replaces_buttons_with_who_asked() -> None:
    """While re-checking: same content, no buttons, an hourglass line naming the user."""
    original = report_message(report([failing()]))
    msg = rechecking_message(original, user_id=USER, at=NOW)
    assert_safe(msg, users=[USER])
    assert not of_type(msg, "actions")
    assert msg.blocks[:-2] == original.blocks[:-2]
    line = msg.blocks[-1]["elements"][0]["text"]
    assert line.startswith(f":hourglass_flowing_sand: Re-checking… requested by <@{USER}>")
    assert msg.text == original.text


def test_rechecking_accepts_blocks_from_a_payload_and_stays_within_50() -> None:
    """Blocks as Slack sends them back (dicts) work too; a full message stays at 50 blocks."""
    blocks = [section(f"line {i}") for i in range(50)]
    msg = rechecking_message(blocks, user_id=USER, at=NOW)
    assert_safe(msg, users=[USER])
    assert len(msg.blocks) == 50
    assert msg.text


def test_shared_message_drops_share_and_credits_the_user() -> None:
    """Shared in channel: other buttons kept, Share removed, "Shared by <@U…>" added."""
    answer = task_message(failing())
    msg = shared_message(answer, user_id=USER)
    assert_safe(msg, users=[USER])
    assert list(buttons(msg)) == ["Re-check", "Show tables"]
    assert all(e["action_id"] != SHARE for b in of_type(msg, "actions") for e in b["elements"])
    assert f"Shared by <@{USER}>" in all_text(msg)
    assert msg.text == answer.text


def test_shared_message_with_only_a_share_button_has_no_actions_block() -> None:
    """When Share was the only button, the actions block goes away entirely."""
    answer = task_message(failing())
    answer = type(answer)(
        answer.text,
        [*answer.blocks[:-1], {"type": "actions", "elements": [buttons(answer)["Share in channel"]]}],
    )
    msg = shared_message(answer, user_id="not-a-user-id")
    assert_safe(msg)
    assert not of_type(msg, "actions")
    assert "Shared by not-a-user-id" in all_text(msg)
