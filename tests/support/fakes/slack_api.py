"""A local fake of the Slack Web API over real HTTP, with response_url and Socket Mode endpoints.

Point `slack_sdk.WebClient(base_url=fake.url)` (or env `SLACK_API_URL`) at it. It enforces auth,
channel membership and Block Kit limits the way Slack does, records every request, and can be
scripted to fail (429 + Retry-After, 5xx, delays, Slack error strings).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl

from tests.support.fakes._server import BackgroundHTTPServer, Incoming, Reply
from tests.support.fakes.slack_functions import SlackFunctions
from tests.support.fakes.slack_response_url import ResponsePost, ResponseUrls
from tests.support.fakes.slack_socket import FakeSocketMode, SocketAck
from tests.support.fakes.slack_types import Message, SlackError, UploadedFile
from tests.support.fakes.slack_workspace import SlackWorkspace

__all__ = [
    "APP_TOKEN", "BOT_TOKEN", "FakeSlackApi", "Message", "Recorded", "ResponsePost", "SocketAck", "UploadedFile",
]  # fmt: skip

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
DEFAULT_SCOPES = (
    "commands", "chat:write", "files:write", "channels:read", "groups:read", "users:read",
    "channels:history", "groups:history",
)  # fmt: skip
_JSON_FIELDS = ("blocks", "view", "files", "attachments", "metadata")
_CHAT_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")


@dataclass(frozen=True)
class Recorded:
    """One Web API call: params with JSON fields decoded, lower-cased headers, monotonic time."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int
    response: dict[str, Any]
    missing_text: bool = False

    @property
    def ok(self) -> bool:
        """Whether the fake answered ok."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """Slack's error string, if any."""
        return self.response.get("error")


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    delay: float | None
    times: int
    lose: str | None = None  # "reset" / "timeout": the call is carried out, its answer never arrives


class FakeSlackApi(BackgroundHTTPServer):
    """Slack Web API fake; use as a context manager or call `start()`/`stop()`."""

    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        channels: Iterable[str] | None = None,
        member_of: Iterable[str] | None = None,
        team_id: str = "T0TEST",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A123",
    ) -> None:
        super().__init__()
        self.bot_token, self.app_token = bot_token, app_token
        self.workspace = SlackWorkspace(
            channels=channels, member_of=member_of, scopes=scopes,
            team_id=team_id, bot_user_id=bot_user_id, bot_id=bot_id,
        )  # fmt: skip
        self.socket_mode = FakeSocketMode(app_id=app_id)
        self._cond = threading.Condition()
        self._recorded: list[Recorded] = []
        self._arrived: Counter[str] = Counter()  # calls received, answered or not (still in flight)
        self._faults: dict[str, deque[_Fault]] = {}
        self.response_urls = ResponseUrls(self.workspace)
        self.functions = SlackFunctions()  # Workflow Builder steps: executions and their completion

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        """Start the HTTP and WebSocket servers."""
        super().start()
        self.workspace.public_url = self.base_url
        self.socket_mode.start()
        return self

    def stop(self) -> None:
        """Stop both servers."""
        self.socket_mode.stop()
        super().stop()

    @property
    def url(self) -> str:
        """Web API base URL, e.g. `http://127.0.0.1:PORT/api/` (for WebClient/SLACK_API_URL)."""
        return f"{self.base_url}/api/"

    # -- configuration -------------------------------------------------------------------
    def add_channel(self, channel: str, *, member: bool = True) -> None:
        """Make a channel exist, with or without the bot in it."""
        self.workspace.add_channel(channel, member=member)

    def set_member(self, channel: str, member: bool) -> None:
        """Add or remove the bot from a channel."""
        self.workspace.set_member(channel, member)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        times: int = 1,
    ) -> None:
        """Force the next `times` calls of `method` ("*" = any): 429/5xx, Slack error, and/or delay."""
        with self._cond:
            self._faults.setdefault(method, deque()).append(_Fault(status, error, retry_after, delay, times))

    def lose_answer(self, method: str, *, how: str = "reset", delay: float = 3.0, times: int = 1) -> None:
        """Carry out the next `times` calls of `method`, then lose the answer: ``how="reset"`` drops
        the connection (RST) and ``how="timeout"`` answers only after `delay` seconds (set it past
        the client's timeout). The call took effect: a post is in the channel all the same."""
        if how not in ("reset", "timeout"):
            raise ValueError("how is 'reset' or 'timeout'")
        with self._cond:
            fault = _Fault(200, None, None, delay, times, lose=how)
            self._faults.setdefault(method, deque()).append(fault)

    def clear_faults(self) -> None:
        """Forget every queued fault: Slack is healthy again."""
        with self._cond:
            self._faults.clear()

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            for key in (method, "*"):
                queue = self._faults.get(key)
                if queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.popleft()
                    return fault
        return None

    # -- HTTP entry point ------------------------------------------------------------------
    def handle(self, request: Incoming) -> Reply:
        """Route /api/<method>, /upload/<id> and /response/<id>."""
        head, _, tail = request.path.lstrip("/").partition("/")
        if head == "api" and tail:
            return self._api(tail, request)
        if head == "upload" and request.method == "POST":
            stored = self.workspace.store_upload(tail, request.body)
            return Reply.text(f"OK - {len(request.body)}") if stored else Reply.text("not found", 404)
        if head == "response" and request.method == "POST":
            return self.response_urls.handle(tail, request)
        return Reply.text("not found", 404)

    def _api(self, method: str, request: Incoming) -> Reply:
        status, headers = 200, {"x-oauth-scopes": ",".join(self.workspace.scopes)}
        fault: _Fault | None = None
        try:
            params = _parse_params(request)
        except ValueError:
            params, body = {}, {"ok": False, "error": "invalid_json"}
        else:
            with self._cond:
                self._arrived[method] += 1
            fault = self._take_fault(method)
            if fault is not None and fault.delay and not fault.lose:
                time.sleep(fault.delay)
            if fault is not None and fault.lose:
                body = self._call(method, params, request.headers)
            elif fault is not None and (fault.status != 200 or fault.error):
                body, status, fault_headers = _fault_body(fault)
                headers.update(fault_headers)
            else:
                body = self._call(method, params, request.headers)
        decoded = _decoded(params)
        recorded = Recorded(
            method=method,
            params=decoded,
            headers=dict(request.headers),
            time=time.monotonic(),
            status=status,
            response=body,
            missing_text=method in _CHAT_METHODS and bool(decoded.get("blocks")) and not decoded.get("text"),
        )
        with self._cond:
            self._recorded.append(recorded)
            self._cond.notify_all()
        if fault is not None and fault.lose == "reset":
            return Reply(reset=True)
        if fault is not None and fault.lose == "timeout":
            time.sleep(fault.delay or 0.0)
        return Reply.json(body, status=status, headers=headers)

    def _call(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        auth = headers.get("authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token and method != "apps.connections.open" and self.functions.accepts(token):
            wanted = token  # a step's just-in-time token works where the bot token does
        other = self.bot_token if wanted == self.app_token else self.app_token
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token == other:
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != wanted:
            return {"ok": False, "error": "invalid_auth"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_mode.issue_url()}
        try:
            if method.startswith("functions."):
                return {"ok": True, **self.functions.call(method, params)}
            return self.workspace.call(method, params)
        except SlackError as exc:
            return {"ok": False, "error": exc.error, **exc.extra}

    # -- recordings ----------------------------------------------------------------------
    def requests(self, method: str | None = None) -> list[Recorded]:
        """Recorded Web API calls, optionally only one method."""
        with self._cond:
            return [r for r in self._recorded if method is None or r.method == method]

    def arrived(self, method: str) -> int:
        """How many calls of `method` reached the fake, including ones it has not answered yet."""
        with self._cond:
            return self._arrived[method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Recorded]:
        """Block until at least `count` calls of `method` arrived; AssertionError on timeout."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.requests(method)) >= count, timeout=timeout):
                return self.requests(method)
            seen = [f"{r.method}:{r.error or 'ok'}" for r in self._recorded]
        raise AssertionError(f"expected {count} x {method} within {timeout}s; got {seen}")

    def messages(self, channel: str | None = None) -> list[Message]:
        """Current state of posted messages (updates applied), in posting order."""
        return self.workspace.messages(channel)

    def files(self) -> list[UploadedFile]:
        """Uploaded files with bytes and where they were shared."""
        return self.workspace.files()

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The view last published to a user's Home tab."""
        return self.workspace.home_view(user_id)

    # -- response_url ----------------------------------------------------------------------
    def new_response_url(self, *, channel: str | None = None, message_ts: str | None = None) -> str:
        """A response_url on the fake; tie it to a message so replace/delete_original apply to it."""
        return self.response_urls.new(self.base_url, channel, message_ts)

    def response_posts(self, id: str | None = None) -> list[ResponsePost]:
        """POSTs received on response_urls (optionally one hook id or full URL)."""
        return self.response_urls.posts(id)

    def wait_for_response(
        self, count: int = 1, timeout: float = 5.0, id: str | None = None
    ) -> list[ResponsePost]:
        """Block until `count` response_url POSTs arrived; AssertionError on timeout."""
        return self.response_urls.wait_for(count, timeout, id)

    # -- Socket Mode -----------------------------------------------------------------------
    def socket_connected(self, timeout: float = 5.0) -> bool:
        """Whether a Socket Mode client is connected (waits up to `timeout`)."""
        return self.socket_mode.socket_connected(timeout)

    def send_envelope(
        self,
        payload: dict[str, Any],
        *,
        type: str = "slash_commands",
        envelope_id: str | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Deliver a Socket Mode envelope; returns its envelope_id."""
        return self.socket_mode.send_envelope(payload, type=type, envelope_id=envelope_id, timeout=timeout)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack for an envelope."""
        return self.socket_mode.wait_for_ack(envelope_id, timeout)

    def acks(self) -> list[SocketAck]:
        """All Socket Mode acks with their latency."""
        return self.socket_mode.acks()


def _parse_params(request: Incoming) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    ctype = request.headers.get("content-type", "")
    if "json" in ctype and request.body:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        params.update(data)
    elif "form-urlencoded" in ctype or (request.body and not ctype):
        params.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    return params


def _decoded(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key in _JSON_FIELDS:
        if isinstance(out.get(key), str):
            with contextlib.suppress(ValueError):
                out[key] = json.loads(out[key])
    return out


def _fault_body(fault: _Fault) -> tuple[dict[str, Any], int, dict[str, str]]:
    if fault.status == 429:
        retry = fault.retry_after if fault.retry_after is not None else 1
        return {"ok": False, "error": fault.error or "ratelimited"}, 429, {"Retry-After": str(retry)}
    default = {500: "internal_error", 503: "service_unavailable"}.get(fault.status, "fatal_error")
    return {"ok": False, "error": fault.error or default}, fault.status, {}
