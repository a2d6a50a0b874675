"""A real local HTTP receiver for webhook tests: records requests, answers as scripted."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fakes._server import BackgroundHTTPServer, Incoming, Reply

Body = bytes | str | dict[str, Any] | list[Any] | None


@dataclass(frozen=True)
class Step:
    """One scripted answer; `close_connection` resets the TCP connection instead of answering."""

    status: int = 200
    body: Body = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    close_connection: bool = False

    def reply(self) -> Reply:
        """The HTTP reply for this step."""
        if self.close_connection:
            return Reply(reset=True)
        if isinstance(self.body, dict | list):
            return Reply.json(self.body, self.status, self.headers)
        raw = self.body.encode() if isinstance(self.body, str) else (self.body or b"")
        return Reply(status=self.status, body=raw, headers={"Content-Type": "text/plain", **self.headers})


@dataclass(frozen=True)
class ReceivedRequest:
    """One request: method, path, lower-cased headers, raw body, JSON if parseable, monotonic time."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any
    time: float
    answered: int | None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")


class HttpReceiver(BackgroundHTTPServer):
    """Accepts any method and path; `url` is `http://127.0.0.1:PORT/hook` by default."""

    def __init__(
        self,
        *,
        path: str = "/hook",
        status: int = 200,
        body: Body = "ok",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        close_connection: bool = False,
    ) -> None:
        super().__init__()
        self.path = path
        self._cond = threading.Condition()
        self._default = Step(status, body, dict(headers or {}), delay, close_connection)
        self._script: deque[Step] = deque()
        self._received: list[ReceivedRequest] = []

    @property
    def url(self) -> str:
        """The webhook URL to configure in the code under test."""
        return f"{self.base_url}{self.path}"

    def script(self, steps: Iterable[int | Step]) -> None:
        """Queue answers (status codes or Steps) consumed in order; then the default applies."""
        with self._cond:
            self._script.extend(s if isinstance(s, Step) else Step(status=s) for s in steps)

    def respond_with(
        self,
        status: int = 200,
        body: Body = None,
        headers: dict[str, str] | None = None,
        *,
        delay: float = 0.0,
        close_connection: bool = False,
    ) -> None:
        """Change the default answer (used once the script is exhausted)."""
        with self._cond:
            self._default = Step(status, body, dict(headers or {}), delay, close_connection)

    def handle(self, request: Incoming) -> Reply:
        """Record the request on arrival, then answer with the next scripted step or the default."""
        with self._cond:
            step = self._script.popleft() if self._script else self._default
        try:
            parsed: Any = json.loads(request.body) if request.body else None
        except ValueError:
            parsed = None
        received = ReceivedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=dict(request.headers),
            body=request.body,
            json=parsed,
            time=time.monotonic(),
            answered=None if step.close_connection else step.status,
        )
        with self._cond:
            self._received.append(received)
            self._cond.notify_all()
        if step.delay:
            time.sleep(step.delay)
        return step.reply()

    def requests(self) -> list[ReceivedRequest]:
        """Everything received so far, in arrival order."""
        with self._cond:
            return list(self._received)

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Block until at least `count` requests arrived; AssertionError on timeout."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self._received) >= count, timeout=timeout):
                return list(self._received)
            got = [(r.method, r.path, r.answered) for r in self._received]
        raise AssertionError(f"expected {count} requests within {timeout}s; got {got}")
