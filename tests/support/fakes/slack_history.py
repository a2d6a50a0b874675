"""Message metadata and reading a conversation back (conversations.history / .replies), as Slack
does them, for the fake workspace.

- ``metadata`` on chat.postMessage: a JSON object (or its JSON text) with ``event_type`` and an
  ``event_payload`` object. Text that is not a JSON object fails the post (``invalid_metadata_format``);
  an ``event_type`` with anything but letters, digits, ``_`` and ``-``, or a payload that is not an
  object, is ignored with the warning ``invalid_metadata_schema`` (docs.slack.dev/messaging/message-metadata).
- Reading back needs ``channels:history`` (``C…``) or ``groups:history`` (``G…``, private) and the
  bot in the channel; metadata is returned only with ``include_all_metadata``; ``oldest`` /
  ``latest`` (exclusive unless ``inclusive``), ``limit`` (default 100, at most 999) and ``cursor``
  paging are honoured; history is newest first and top-level only, replies are the parent and then
  its replies, oldest first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from tests.support.fakes.slack_types import Message, SlackError

EVENT_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")
DEFAULT_LIMIT, MAX_LIMIT = 100, 999
_TRUE = ("1", "true", "True", True, 1)


def parse_metadata(raw: Any) -> tuple[dict[str, Any] | None, str | None]:
    """(metadata to store, warning); raises SlackError for text that is not a JSON object."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise SlackError("invalid_metadata_format") from exc
    if not isinstance(raw, dict):
        raise SlackError("invalid_metadata_format")
    event_type, payload = raw.get("event_type"), raw.get("event_payload")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type) or not isinstance(payload, dict):
        return None, "invalid_metadata_schema"
    return {"event_type": event_type, "event_payload": payload}, None


def needed_scope(channel: str) -> str:
    return "groups:history" if channel.startswith("G") else "channels:history"


def _ts(value: Any, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_ts_oldest") from exc


def _limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        return max(1, min(MAX_LIMIT, int(value)))
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_limit") from exc


def _cursor(value: Any) -> int:
    if value in (None, ""):
        return 0
    text = str(value)
    if not text.startswith("next:") or not text[5:].isdigit():
        raise SlackError("invalid_cursor")
    return int(text[5:])


def within(messages: Iterable[Message], params: dict[str, Any]) -> list[Message]:
    """The messages between ``oldest`` and ``latest`` (inclusive only when asked)."""
    oldest, latest = _ts(params.get("oldest"), 0.0), _ts(params.get("latest"), float("inf"))
    inclusive = params.get("inclusive") in _TRUE
    out = []
    for m in messages:
        ts = float(m.ts)
        if (oldest <= ts <= latest) if inclusive else (oldest < ts < latest):
            out.append(m)
    return out


def page(
    found: list[Message], params: dict[str, Any], render: Callable[[Message, bool], dict[str, Any]]
) -> dict[str, Any]:
    """One page of ``found`` as Slack answers it, metadata only with include_all_metadata."""
    start, limit = _cursor(params.get("cursor")), _limit(params.get("limit"))
    chunk = found[start : start + limit]
    more = start + limit < len(found)
    with_metadata = params.get("include_all_metadata") in _TRUE
    return {
        "messages": [render(m, with_metadata) for m in chunk],
        "has_more": more,
        "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
    }
