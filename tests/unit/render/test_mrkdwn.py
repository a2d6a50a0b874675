"""Mrkdwn escaping, clipping, dates, mentions and console links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.mrkdwn import (
    BLANK,
    clip,
    clip_markup,
    console_url,
    escape,
    label,
    link,
    printable,
    size,
    slack_date,
    user,
    usergroup,
)
from tests.support.render.sample import task

ENTITY = re.compile(r"&(?:amp|lt|gt);")


def test_escape_ampersand_first() -> None:
    """& is escaped before < and >, so the entities themselves are not double-escaped."""
    assert escape("<a & b>") == "&lt;a &amp; b&gt;"
    assert escape("&lt;") == "&amp;lt;"


def test_escape_neutralises_slack_tokens() -> None:
    """Channel pings, mentions and forged links come out as visible text."""
    assert escape("<!channel>") == "&lt;!channel&gt;"
    assert escape("<https://evil.example|click>") == "&lt;https://evil.example|click&gt;"
    assert escape("<@U123>") == "&lt;@U123&gt;"


def test_escape_drops_control_and_direction_characters() -> None:
    """Control characters, RTL overrides and zero-width marks vanish; line breaks become spaces."""
    assert escape("a\x00b\x1b[31mc\u202ed\u200be") == "ab[31mcde"
    assert escape("one\ntwo\r\nthree\u2028four") == "one two  three four"


def test_escape_keeps_emoji_and_non_latin_text() -> None:
    """Ordinary Unicode (emoji, CJK, accents) passes through unchanged."""
    assert escape("café 注文 🚀") == "café 注文 🚀"


def test_escape_limit_never_splits_an_entity() -> None:
    """Clipping escaped text cuts between entities and ends in an ellipsis."""
    out = escape("&" * 100, 12)
    assert out == "&amp;&amp;…"
    assert escape("short", 12) == "short"


def test_label_of_blank_input_is_visible() -> None:
    """A name with nothing printable still shows as "(blank)" rather than vanishing."""
    assert label("\x00\u202e  ", 20) == BLANK
    assert label("orders", 20) == "orders"


def test_clip_adds_ellipsis_only_when_cut() -> None:
    """Text over the limit ends in "…" and fits; text under it is untouched."""
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"
    assert size(clip("🚀" * 10, 5)) <= 5


def test_clip_markup_never_leaves_half_a_token() -> None:
    """Cutting through a <…> token or an entity drops the partial token."""
    text = "see <!date^1^{time}|2026-01-01T00:00:00Z> and &amp; more"
    for limit in range(1, len(text)):
        out = clip_markup(text, limit)
        assert size(out) <= limit
        rest = out.replace("<!date^1^{time}|2026-01-01T00:00:00Z>", "")
        assert "<" not in rest
        assert "&" not in ENTITY.sub("", rest)


def test_slack_date_token_has_epoch_format_and_iso_fallback() -> None:
    """Dates become <!date^…> so readers see their own zone; fallback is ISO UTC."""
    moment = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert slack_date(moment) == "<!date^1795683600^{date_short_pretty} at {time}|2026-11-26T09:00:00Z>"
    assert slack_date(moment, "{time}").startswith("<!date^1795683600^{time}|")


def test_slack_date_rejects_formats_that_could_break_the_token() -> None:
    """A format with <, >, | or ^ would end the token early, so it is refused."""
    for fmt in ("{date}|x", "a>b", "a^b", ""):
        with pytest.raises(ValueError):
            slack_date(datetime(2026, 1, 1, tzinfo=UTC), fmt)


def test_user_mentions_only_real_ids() -> None:
    """Only U…/W… IDs become mentions; anything else is escaped text."""
    assert user("U0123ABCD") == "<@U0123ABCD>"
    assert user("W99") == "<@W99>"
    assert user("<!channel>") == "&lt;!channel&gt;"
    assert user("u123") == "u123"


def test_usergroup_mentions_only_real_ids() -> None:
    """Only S… IDs become user-group mentions."""
    assert usergroup("S0123ABC") == "<!subteam^S0123ABC>"
    assert usergroup("S12>|x") == "S12&gt;|x"


def test_console_url_uses_region_from_arn_and_encodes_identifier() -> None:
    """The console link names the ARN's region and URL-encodes the task identifier."""
    assert console_url(task("orders-cdc")) == (
        "https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1#taskDetails/orders-cdc"
    )
    hostile = console_url(task("a|b>c <d>"))
    assert hostile.endswith("#taskDetails/a%7Cb%3Ec%20%3Cd%3E")


def test_console_url_ignores_a_region_that_does_not_look_like_one() -> None:
    """A forged region in the ARN never reaches the URL's host."""
    bad = task("x", arn="arn:aws:dms:evil.example/|:123456789012:task:X")
    assert console_url(bad) == "https://console.aws.amazon.com/dms/v2/home#taskDetails/x"


def test_console_url_other_partitions() -> None:
    """China and GovCloud ARNs link to their own consoles."""
    cn = task("x", arn="arn:aws-cn:dms:cn-north-1:123456789012:task:X")
    assert console_url(cn).startswith("https://cn-north-1.console.amazonaws.cn/")
    gov = task("x", arn="arn:aws-us-gov:dms:us-gov-west-1:123456789012:task:X")
    assert console_url(gov).startswith(
        "https://console.amazonaws-us-gov.com/dms/v2/home?region=us-gov-west-1"
    )


def test_link_refuses_urls_that_would_break_the_token() -> None:
    """A URL with | or > cannot be linked."""
    assert link("https://x.example/a", "x") == "<https://x.example/a|x>"
    with pytest.raises(ValueError):
        link("https://x.example/a|b", "x")


@given(st.text(), st.one_of(st.none(), st.integers(min_value=0, max_value=300)))
def test_escape_output_is_always_inert(text: str, limit: int | None) -> None:
    """For any input: no < or >, every & starts an entity, no line breaks, within the limit."""
    out = escape(text, limit)
    assert "<" not in out and ">" not in out
    assert "&" not in ENTITY.sub("", out)
    assert "\n" not in out
    if limit is not None:
        assert size(out) <= limit


def test_printable_is_the_one_filter_with_each_outputs_line_break_rule() -> None:
    """mrkdwn: every line break a space; terminal: only tab/CR/LF spaced; plain text keeps newlines."""
    raw = "a\tb\nc\x0bd\u2028e\x00\u202ef"
    assert "".join(printable(raw)) == "a b c d ef"
    assert "".join(printable(raw, spaced="\t\r\n")) == "a b cd\u2028ef"
    assert "".join(printable(raw, spaced="", kept="\n")) == "ab\ncd\u2028ef"
