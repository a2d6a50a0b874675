"""State and method semantics of the fake Slack workspace (no HTTP here)."""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from tests.support.fakes import block_limits as bl
from tests.support.fakes import slack_history as hist
from tests.support.fakes.slack_types import SCOPE_NEEDED, Message, SlackError, UploadedFile, check_content


class SlackWorkspace:
    """Channels, messages, files and Home views; `call()` runs one Web API method."""

    def __init__(
        self,
        *,
        channels: Iterable[str] | None = None,
        member_of: Iterable[str] | None = None,
        scopes: Iterable[str] = (),
        team_id: str = "T0TEST",
        team: str = "Test Team",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
    ) -> None:
        self.lock = threading.RLock()
        self.scopes = list(scopes)
        self.team_id, self.team, self.bot_user_id, self.bot_id = team_id, team, bot_user_id, bot_id
        self.public_url = "http://127.0.0.1"
        self._channels = None if channels is None else set(channels)
        self._member_of = None if member_of is None else set(member_of)
        self._not_member: set[str] = set()
        self._extra: set[str] = set()
        self._messages: list[Message] = []
        self._files: dict[str, UploadedFile] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._last_micros = 0

    # -- channel configuration ------------------------------------------------------------
    def add_channel(self, channel: str, *, member: bool = True) -> None:
        """Make `channel` exist (and set the bot's membership)."""
        with self.lock:
            self._extra.add(channel)
            self.set_member(channel, member)

    def set_member(self, channel: str, member: bool) -> None:
        """Add the bot to / remove it from `channel`."""
        with self.lock:
            if self._member_of is not None:
                (self._member_of.add if member else self._member_of.discard)(channel)
            (self._not_member.discard if member else self._not_member.add)(channel)

    def channel_exists(self, channel: str) -> bool:
        """Configured channels, or by default any ID starting with "C"."""
        if channel in self._extra:
            return True
        return channel.startswith("C") if self._channels is None else channel in self._channels

    def is_member(self, channel: str) -> bool:
        """Whether the bot is in `channel`."""
        if not self.channel_exists(channel) or channel in self._not_member:
            return False
        return self._member_of is None or channel in self._member_of

    def _postable(self, channel: Any) -> str:
        if not isinstance(channel, str) or not self.channel_exists(channel):
            raise SlackError("channel_not_found")
        if not self.is_member(channel) and not (
            "chat:write.public" in self.scopes and channel.startswith("C")
        ):
            raise SlackError("not_in_channel")
        return channel

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _next_ts(self) -> str:
        """Slack's ts: the wall-clock time of posting in microseconds, unique and increasing."""
        micros = self._last_micros = max(time.time_ns() // 1000, self._last_micros + 1)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- accessors ----------------------------------------------------------------------
    def messages(self, channel: str | None = None) -> list[Message]:
        """Copies of posted messages (current state) in posting order."""
        with self.lock:
            found = [m for m in self._messages if channel is None or m.channel == channel]
            return copy.deepcopy(found)

    def find_message(self, channel: str, ts: str) -> Message | None:
        """The live (mutable) message, or None."""
        return next((m for m in self._messages if m.channel == channel and m.ts == ts), None)

    def files(self) -> list[UploadedFile]:
        """Copies of every file slot, in creation order."""
        with self.lock:
            return copy.deepcopy(list(self._files.values()))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The last view published to `user_id`'s Home tab."""
        with self.lock:
            return copy.deepcopy(self._views.get(user_id))

    def store_upload(self, file_id: str, data: bytes) -> bool:
        """Keep the bytes POSTed to an upload URL; False if the slot is unknown."""
        with self.lock:
            slot = self._files.get(file_id)
            if slot is None or slot.completed:
                return False
            slot.data = data
            return True

    def apply_edit(self, msg: Message, text: Any, blocks: list[Any] | None) -> None:
        """Update a message in place, keeping the prior version in `history`."""
        msg.history.append({"text": msg.text, "blocks": copy.deepcopy(msg.blocks)})
        msg.text = text if text is not None else msg.text
        msg.blocks = blocks if blocks is not None else msg.blocks
        msg.edits += 1

    # -- methods ------------------------------------------------------------------------
    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one method; raises SlackError for Slack-level failures."""
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, "m_" + method.replace(".", "_"), None
        )
        if handler is None:
            raise SlackError("unknown_method")
        needed = SCOPE_NEEDED.get(method)
        if needed and needed not in self.scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))
        with self.lock:
            return {"ok": True, **handler(params)}

    def _message_json(self, msg: Message, with_metadata: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": msg.bot_id or self.bot_id,
            "ts": msg.ts,
        }
        out.update({"text": msg.text or "", "team": self.team_id})
        if msg.blocks is not None:
            out["blocks"] = msg.blocks
        if msg.thread_ts:
            out["thread_ts"] = msg.thread_ts
        if with_metadata and msg.metadata is not None:
            out["metadata"] = copy.deepcopy(msg.metadata)
        return out

    def m_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        ids = {"team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}
        return {"url": "https://test.slack.com/", "team": self.team, "user": "bot", **ids}

    def m_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(params.get("channel"))
        blocks = check_content(params, max_blocks=bl.MESSAGE_MAX_BLOCKS)
        metadata, warning = hist.parse_metadata(params.get("metadata"))
        msg = Message(channel, self._next_ts(), params.get("text"), blocks, params.get("thread_ts"))
        msg.metadata = metadata
        self._messages.append(msg)
        answer = {"channel": channel, "ts": msg.ts, "message": self._message_json(msg, True)}
        return answer | ({"warning": warning} if warning else {})

    def _readable(self, params: dict[str, Any]) -> str:
        channel = params.get("channel")
        if not isinstance(channel, str) or not self.channel_exists(channel):
            raise SlackError("channel_not_found")
        if hist.needed_scope(channel) not in self.scopes:
            raise SlackError(
                "missing_scope", needed=hist.needed_scope(channel), provided=",".join(self.scopes)
            )
        if not self.is_member(channel):
            raise SlackError("not_in_channel")
        return channel

    def m_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable(params)
        top = [m for m in self._messages if m.channel == channel and not m.deleted]
        top = [m for m in top if m.thread_ts in (None, m.ts)]
        found = sorted(hist.within(top, params), key=lambda m: float(m.ts), reverse=True)
        return hist.page(found, params, self._message_json)

    def m_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable(params)
        parent = self.find_message(channel, str(params.get("ts")))
        if parent is None or parent.deleted:
            raise SlackError("thread_not_found")
        replies = [m for m in self._messages if m.channel == channel and m.thread_ts == parent.ts]
        replies = [m for m in replies if m is not parent and not m.deleted]
        found = [parent, *sorted(hist.within(replies, params), key=lambda m: float(m.ts))]
        return hist.page(found, params, self._message_json)

    def m_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(params.get("channel"))
        msg = self.find_message(channel, str(params.get("ts")))
        if msg is None or msg.deleted:
            raise SlackError("message_not_found")
        blocks = check_content(params, max_blocks=bl.MESSAGE_MAX_BLOCKS)
        self.apply_edit(msg, params.get("text"), blocks)
        return {"channel": channel, "ts": msg.ts, "text": msg.text or "", "message": self._message_json(msg)}

    def m_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(params.get("channel"))
        msg = self.find_message(channel, str(params.get("ts")))
        if msg is None or msg.deleted:
            raise SlackError("message_not_found")
        msg.deleted = True
        return {"channel": channel, "ts": msg.ts}

    def m_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._postable(params.get("channel"))
        if not params.get("user"):
            raise SlackError("user_not_found")
        check_content(params, max_blocks=bl.MESSAGE_MAX_BLOCKS)
        return {"message_ts": self._next_ts()}

    def m_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError as exc:
                raise SlackError("invalid_arguments") from exc
        if not params.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            raise SlackError("invalid_arguments")
        try:
            blocks = bl.parse_blocks(view.get("blocks", []))
        except bl.BlocksFormatError as exc:
            raise SlackError("invalid_blocks_format") from exc
        errors = bl.block_errors(blocks, max_blocks=bl.VIEW_MAX_BLOCKS, pointer="/view/blocks")
        if errors:
            meta = {"messages": [f"[ERROR] {e}" for e in errors]}
            raise SlackError("invalid_blocks", errors=errors, response_metadata=meta)
        stored = {**view, "id": self._next_id("V"), "team_id": self.team_id, "blocks": blocks}
        self._views[str(params["user_id"])] = stored
        return {"view": copy.deepcopy(stored)}

    def m_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not isinstance(channel, str) or not self.channel_exists(channel):
            raise SlackError("channel_not_found")
        info = {"id": channel, "name": channel.lower(), "is_channel": True, "is_private": False}
        return {"channel": info | {"is_archived": False, "is_member": self.is_member(channel)}}

    def m_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not isinstance(user, str) or user[:1] not in ("U", "W"):
            raise SlackError("user_not_found")
        name = user.lower()
        profile = {"real_name": name, "display_name": name}
        return {"user": {"id": user, "team_id": self.team_id, "name": name, "real_name": name,
                         "tz": "UTC", "is_bot": user == self.bot_user_id, "profile": profile}}  # fmt: skip

    def m_files_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        raise SlackError("method_deprecated")

    def m_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = params.get("filename"), params.get("length")
        if not filename or length is None or not str(length).isdigit():
            raise SlackError("invalid_arguments")
        slot = UploadedFile(self._next_id("F"), str(filename), int(length), params.get("alt_txt"))
        self._files[slot.id] = slot
        return {"upload_url": f"{self.public_url}/upload/{slot.id}", "file_id": slot.id}

    def m_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = params.get("files")
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError as exc:
            raise SlackError("invalid_arguments") from exc
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        channel = params.get("channel_id") or (channels[0] if channels else None)
        if channel is not None:
            self._postable(channel)
        out = []
        for item in items:
            slot = self._files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if slot is None or slot.data is None or slot.completed:
                raise SlackError("file_not_found")
            slot.title = item.get("title") or slot.filename
            slot.channel_id, slot.thread_ts = channel, params.get("thread_ts")
            slot.initial_comment, slot.completed = params.get("initial_comment"), True
            out.append({"id": slot.id, "name": slot.filename, "title": slot.title, "size": len(slot.data)})
            out[-1]["channels"] = [channel] if channel else []
        return {"files": out}
