"""response_url hooks of the fake Slack API: what Bolt's respond() / WebhookClient POST to."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.support.fakes import block_limits as bl
from tests.support.fakes._server import Incoming, Reply
from tests.support.fakes.slack_types import SlackError, check_content
from tests.support.fakes.slack_workspace import SlackWorkspace


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a response_url (`body` is None when it was not a JSON object)."""

    id: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    time: float
    status: int


class ResponseUrls:
    """Issues hook URLs, validates and records POSTs, applies replace/delete_original."""

    def __init__(self, workspace: SlackWorkspace) -> None:
        self._workspace = workspace
        self._cond = threading.Condition()
        self._hooks: dict[str, tuple[str | None, str | None]] = {}
        self._posts: list[ResponsePost] = []
        self._ids = itertools.count(1)

    def new(self, base_url: str, channel: str | None = None, message_ts: str | None = None) -> str:
        """A new hook URL under `base_url`, optionally tied to a posted message."""
        hook_id = f"hook{next(self._ids)}"
        with self._cond:
            self._hooks[hook_id] = (channel, message_ts)
        return f"{base_url}/response/{hook_id}"

    def handle(self, hook_id: str, request: Incoming) -> Reply:
        """Answer a POST like Slack: 200 "ok", 400 with an error word, or 404 for unknown hooks."""
        body: dict[str, Any] | None = None
        with self._cond:
            target = self._hooks.get(hook_id)
        try:
            parsed = json.loads(request.body or b"null")
            body = parsed if isinstance(parsed, dict) else None
        except ValueError:
            pass
        if target is None:
            reply = Reply.text("expired_url", 404)
        elif body is None:
            reply = Reply.text("invalid_payload", 400)
        else:
            reply = self._apply(target, body)
        post = ResponsePost(hook_id, body, dict(request.headers), time.monotonic(), reply.status)
        with self._cond:
            self._posts.append(post)
            self._cond.notify_all()
        return reply

    def _apply(self, target: tuple[str | None, str | None], body: dict[str, Any]) -> Reply:
        try:
            blocks = check_content(body, max_blocks=bl.MESSAGE_MAX_BLOCKS, require=False)
        except SlackError as exc:
            return Reply.text(exc.error, 400)
        channel, ts = target
        with self._workspace.lock:
            msg = self._workspace.find_message(channel, ts) if channel and ts else None
            if msg is not None and body.get("delete_original"):
                msg.deleted = True
            elif msg is not None and body.get("replace_original"):
                self._workspace.apply_edit(msg, body.get("text"), blocks)
        return Reply.text("ok")

    def posts(self, hook: str | None = None) -> list[ResponsePost]:
        """Recorded POSTs, optionally for one hook id or full hook URL."""
        hook_id = hook.rsplit("/", 1)[-1] if hook else None
        with self._cond:
            return [p for p in self._posts if hook_id is None or p.id == hook_id]

    def wait_for(self, count: int, timeout: float, hook: str | None = None) -> list[ResponsePost]:
        """Block until `count` POSTs arrived; AssertionError on timeout."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.posts(hook)) >= count, timeout=timeout):
                return self.posts(hook)
            got = len(self.posts(hook))
        raise AssertionError(f"expected {count} response_url POSTs within {timeout}s; got {got}")
