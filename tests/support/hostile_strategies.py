"""Hypothesis strategies for input written by someone who wants the bot to misbehave."""

from __future__ import annotations

from hypothesis import strategies as st

# Slack markup that must be shown, never obeyed, and characters that reshape text.
MARKUP = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0ONCALL>",
    "<@U0VICTIM>",
    "<@W123|boss>",
    "<#C0123456789>",
    "<http://x|y>",
    "<https://evil.example/login|Re-check>",
    "<mailto:a@b.c|mail>",
    "<!date^1^{date}|x>",
    "*bold*",
    "_it_",
    "~strike~",
    "`code`",
    "```block```",
    "&amp;",
    "&lt;!channel&gt;",
    "&",
    "<",
    ">",
    "|",
    ":rotating_light:",
    "\u202egnp.exe\u202c",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters
    "\x00",
    "\x1b[2J\x1b[31m",
    "\x07\x08\x7f",
    "\r\n",
    "\n\n",
    "\t",
    "\u2028\u2029",
    "\ud83d",  # a lone surrogate
    "🚨",
    "e\u0301\u0301\u0301",  # stacked combining marks
    '{"scope":"all"}',
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%n{0}",
)

markup = st.sampled_from(MARKUP)

hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(markup, st.text(max_size=12)), max_size=40).map(" ".join),
    st.lists(markup, min_size=1, max_size=200).map("".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from([*MARKUP, "x", "é"]), st.integers(1000, 100_000)),
)

# Hostile text that can travel through TOML and JSON (no lone surrogates: they are not UTF-8).
encodable_text = hostile_text.map(lambda s: s.encode("utf-8", "replace").decode("utf-8"))
