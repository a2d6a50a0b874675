"""Block Kit as terminal text for the demo: headers, fields, tokens, buttons; no control characters."""

from __future__ import annotations

from bot.render.kit import SlackMessage, context, section
from bot.render.plain_text import blocks_to_text, plain
from bot.render.report import report_message
from bot.render.task import task_message
from tests.support.render.sample import NOW, USER, failing, ok, report


def test_report_as_text_keeps_header_tasks_and_buttons() -> None:
    """Header underlined, task names present, buttons in brackets, dates as their fallback."""
    out = blocks_to_text(
        report_message(report([failing("orders-cdc"), ok()]), rechecked_by=USER, rechecked_at=NOW)
    )
    lines = out.splitlines()
    assert lines[0] == ":red_circle: DMS validation: 1 task failing"
    assert set(lines[1]) == {"═"}
    assert "orders-cdc (https://eu-west-1.console.aws.amazon.com/" in out
    assert "[ Re-check ]  [ Show tables ]" in out
    assert "  | Checked 2026-11-26T09:00:00Z · re-checked by @U0123ABCD 2026-11-26T09:00:00Z" in out
    assert "<!date^" not in out and "<@" not in out


def test_fields_render_as_label_and_value() -> None:
    """Section fields become indented "label: value" lines."""
    out = blocks_to_text(task_message(failing("orders-cdc")))
    assert "  *Status*: running" in out


def test_plain_undoes_mrkdwn_tokens_and_entities() -> None:
    """Links become "label (url)", mentions "@id", entities their characters."""
    assert plain("<https://x.example|site> &lt;b&gt; &amp;amp; <@U1> <!subteam^S1> <!here>") == (
        "site (https://x.example) <b> &amp; @U1 @S1 @here"
    )


def test_control_characters_are_stripped() -> None:
    """Terminal escapes in a message cannot reach the terminal."""
    message = SlackMessage("x", [section("a\x1b[2Jb\u202ec"), context("d\x07e")])
    out = blocks_to_text(message)
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "a[2Jbc" in out and "de" in out
