"""Slack mrkdwn building blocks: the one sanitiser, escaping, clipping, dates, mentions and links.

Every string that comes from DMS or from a user goes through :func:`escape` before it lands in
mrkdwn, so a table named ``<!channel>`` or ``<https://evil|click>`` is shown, never obeyed. The only
``<…>`` tokens in a message are the ones made here, from validated parts. :func:`printable` is the
control-character filter for every output: mrkdwn here, the terminal report
(:mod:`bot.render.terminal`) and the demo's plain text (:mod:`bot.render.plain_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from datetime import datetime
from urllib.parse import quote

from bot.core.models import Task, TaskKind
from bot.core.report import iso

ELLIPSIS = "…"
BLANK = "(blank)"

DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
LINE_BREAKS = frozenset("\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]+")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_CONSOLE_HOSTS = {
    "aws": "{region}.console.aws.amazon.com",
    "aws-cn": "{region}.console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
_CONSOLE_PAGES = {TaskKind.TASK: "taskDetails", TaskKind.SERVERLESS: "serverlessReplicationDetails"}
_FORMAT_FORBIDDEN = frozenset("<>|^&")


def size(text: str) -> int:
    """Length in UTF-16 code units: never less than ``len()``, so limits hold whichever Slack counts."""
    return len(text.encode("utf-16-le")) // 2


def printable(
    text: str, *, spaced: Collection[str] = LINE_BREAKS, kept: Collection[str] = ()
) -> Iterator[str]:
    """The characters of ``text`` that may be shown, lazily (so a caller can stop early).

    Characters in ``kept`` pass as they are; those in ``spaced`` (line breaks, by default) become
    one space each; any other control, format (RTL overrides, zero-width), surrogate, private-use
    or unassigned character is dropped, so input can neither reshape a message nor steer a terminal.
    """
    for ch in text:
        if ch in kept:
            yield ch
        elif ch in spaced:
            yield " "
        elif unicodedata.category(ch) not in DROPPED_CATEGORIES:
            yield ch


def clean(text: object) -> str:
    """Printable and single-line: control, format (RTL overrides, zero-width) and unassigned
    characters are dropped, and line breaks become spaces so input cannot reshape a message."""
    return "".join(printable(str(text)))


def clip(text: str, limit: int) -> str:
    """At most ``limit`` (UTF-16) characters, ending in "…" when something was cut.

    For text that is already safe (fixed wording, escaped mrkdwn cut on a line boundary); use
    ``escape(text, limit)`` for raw input so an entity like ``&amp;`` is never cut in half.
    """
    if limit <= 0:
        return ""
    if size(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        width = size(ch)
        if used + width > limit - 1:
            break
        out.append(ch)
        used += width
    return "".join(out) + ELLIPSIS


def clip_markup(text: str, limit: int) -> str:
    """Like :func:`clip` for built mrkdwn: a cut never leaves half a ``<…>`` token or entity."""
    if size(text) <= limit:
        return text
    cut = clip(text, limit)[:-1]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp > cut.rfind(";"):
        cut = cut[:amp]
    return cut + ELLIPSIS


def escape(text: object, limit: int | None = None) -> str:
    """Untrusted text made safe for mrkdwn (``&`` first, then ``<`` and ``>``), cleaned and,
    when ``limit`` is given, clipped to that many characters of *output* without splitting an
    entity. Reads only as much input as the limit needs, so a megabyte of name costs nothing."""
    out: list[str] = []
    used = 0
    for ch in printable(str(text)):
        piece = _ENTITIES.get(ch, ch)
        width = 2 if ord(ch) > 0xFFFF else len(piece)
        if limit is not None and used + width > limit:
            while out and used + 1 > limit:
                used -= size(out.pop())
            return "".join(out) + (ELLIPSIS if limit >= 1 else "")
        out.append(piece)
        used += width
    return "".join(out)


def label(text: object, limit: int) -> str:
    """Escaped and clipped, or "(blank)" when nothing printable is left: a name never vanishes."""
    return escape(text, limit).strip() or BLANK


def bold(escaped: str) -> str:
    """``*text*`` for already-escaped text; blank stays unformatted so no stray asterisks show."""
    return f"*{escaped}*" if escaped.strip() else escaped


def slack_date(moment: datetime, fmt: str = "{date_short_pretty} at {time}") -> str:
    """Slack's ``<!date^…>`` token, so every reader sees their own time zone (ISO UTC fallback)."""
    if not fmt or _FORMAT_FORBIDDEN & set(fmt):
        raise ValueError(f"date format may not contain any of {''.join(sorted(_FORMAT_FORBIDDEN))}")
    return f"<!date^{int(moment.timestamp())}^{fmt}|{iso(moment)}>"


def user(user_id: object) -> str:
    """A mention for a real-looking user ID; anything else is shown as escaped text."""
    if isinstance(user_id, str) and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape(user_id, 40)


def usergroup(group_id: object) -> str:
    """A user-group mention for a real-looking ``S…`` ID; anything else is shown as escaped text."""
    if isinstance(group_id, str) and _USERGROUP_ID.fullmatch(group_id):
        return f"<!subteam^{group_id}>"
    return escape(group_id, 40)


def console_url(task: Task) -> str:
    """The task's (or Serverless replication's) page in the AWS console, from the region and
    partition in its ARN.

    A region that does not look like one is left out rather than trusted into the URL. The
    Serverless fragment ``#serverlessReplicationDetails/<ReplicationConfigIdentifier>`` is
    UNVERIFIED: AWS documents no console deep links, and only third-party code uses this one (see
    README "DMS Serverless"); were it wrong, the link still opens the DMS console in the right
    region, and the message names the replication beside it.
    """
    partition = task.arn.split(":")[1] if task.arn.count(":") >= 5 else "aws"
    region = task.region if _REGION.fullmatch(task.region) else ""
    host = _CONSOLE_HOSTS.get(partition, _CONSOLE_HOSTS["aws"]).format(region=region).lstrip(".")
    query = f"?region={region}" if region else ""
    page = _CONSOLE_PAGES[task.kind]
    return f"https://{host}/dms/v2/home{query}#{page}/{quote(clean(task.identifier), safe='')}"


def link(url: str, text: str) -> str:
    """``<url|text>`` for a URL the renderer built and already-escaped text."""
    if any(ch in url for ch in "<>| \n"):
        raise ValueError("refusing to link a URL containing <, >, | or whitespace")
    return f"<{url}|{text}>"
