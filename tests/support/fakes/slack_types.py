"""Value types and content validation shared by the fake Slack API modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes import block_limits as bl


class SlackError(Exception):
    """A Slack `{"ok": false, "error": ...}` answer; `extra` is merged into the body."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Message:
    """Current state of a posted message; `history` holds earlier versions (text, blocks)."""

    channel: str
    ts: str
    text: str | None
    blocks: list[Any] | None
    thread_ts: str | None = None
    edits: int = 0
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # what Slack stored (an invalid one is dropped)
    bot_id: str | None = None  # another app's bot posted it (None: this bot)


@dataclass
class UploadedFile:
    """A file from files.getUploadURLExternal, its bytes, and how it was shared."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


SCOPE_NEEDED = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "conversations.info": "channels:read",
    "users.info": "users:read",
}


def check_content(params: dict[str, Any], *, max_blocks: int, require: bool = True) -> list[Any] | None:
    """Validate text/blocks like Slack; return the decoded blocks (None when absent)."""
    blocks: list[Any] | None = None
    if params.get("blocks") is not None:
        try:
            blocks = bl.parse_blocks(params["blocks"])
        except bl.BlocksFormatError as exc:
            raise SlackError("invalid_blocks_format") from exc
        errors = bl.block_errors(blocks, max_blocks=max_blocks)
        if errors:
            raise SlackError("invalid_blocks", errors=errors)
    text = params.get("text")
    if isinstance(text, str) and len(text) > bl.MESSAGE_TEXT_MAX:
        raise SlackError("msg_too_long")
    if blocks and bl.blocks_text_length(blocks) > bl.BLOCKS_TEXT_MAX:
        raise SlackError("msg_blocks_too_long")
    if require and not text and not blocks and not params.get("attachments"):
        raise SlackError("no_text")
    return blocks
