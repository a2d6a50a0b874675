"""Changes to a sent message: re-checking in progress and shared in channel."""

from __future__ import annotations

from bot.render.buttons import Action
from bot.render.edits import rechecking_message, shared_message
from bot.render.kit import section
from bot.render.report import report_message
from bot.render.task import task_message
from tests.support.render.blockutil import all_text, buttons, of_type
from tests.support.render.limits import assert_safe
from tests.support.render.sample import NOW, USER, failing, report


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
    assert all(e["action_id"] != Action.SHARE for b in of_type(msg, "actions") for e in b["elements"])
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
