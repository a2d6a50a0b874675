"""The bot's HTTP server: waitress (a production WSGI server, not Bolt's development server).

HTTP mode serves Bolt's WSGI adapter on ``POST /slack/events``; both modes serve ``GET /healthz``
(readiness as JSON, 200 or 503) and ``GET /metrics`` (Prometheus text). In Socket Mode there is no
Slack app behind it (``app=None``) and ``/slack/events`` is a 404. Requests that are obviously not
from Slack (too big, wrong content type) are refused before any work is done."""

from __future__ import annotations

import json
import logging
import select
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack payloads are far smaller; anything bigger is refused unread
_SLACK_TYPES = ("application/x-www-form-urlencoded", "application/json")

StartResponse = Callable[..., Any]
Health = Callable[[], tuple[bool, dict[str, Any]]]
Metrics = Callable[[], bytes]
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LOOP_TICK = 0.5  # seconds; close() wakes the loop at once through waitress's trigger


def _reply(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class WsgiApp:
    def __init__(
        self,
        app: App | None,
        *,
        health: Health,
        metrics: Metrics | None = None,
        metrics_type: str = METRICS_TYPE,
    ) -> None:
        self.slack = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None
        self.health = health
        self.metrics = metrics
        self.metrics_type = metrics_type

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, details = self.health()
            return _reply(start_response, "200 OK" if ok else "503 Service Unavailable", details)
        if path == "/metrics" and method in ("GET", "HEAD") and self.metrics is not None:
            body = self.metrics()
            start_response(
                "200 OK", [("Content-Type", self.metrics_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path != EVENTS_PATH or self.slack is None:
            return _reply(start_response, "404 Not Found", {"error": "not found"})
        if method != "POST":
            return _reply(start_response, "405 Method Not Allowed", {"error": "POST only"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _reply(start_response, "413 Content Too Large", {"error": "request body too large"})
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type not in _SLACK_TYPES:
            return _reply(start_response, "415 Unsupported Media Type", {"error": "unsupported content type"})
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        if not (stamp.isascii() and stamp.isdigit()):  # Bolt's verifier would fail on it with a 500
            return _reply(start_response, "401 Unauthorized", {"error": "invalid request"})
        try:
            result: Iterable[bytes] = self.slack(environ, start_response)
        except (ValueError, TypeError, AttributeError):  # Bolt parses the body before checking its signature
            log.warning("refused a request with a body Slack never sends")
            return _reply(start_response, "400 Bad Request", {"error": "malformed request"})
        return result


class HttpServer:
    """waitress in a background thread; ``close()`` stops it from any thread.

    waitress's own ``run()`` loop has no thread-safe stop (closing its sockets from another thread
    while it selects on them raises EBADF in the loop), so the loop runs here in short slices, and
    everything is closed on the loop's own thread once ``close()`` asks for it: the connections
    already waiting are accepted, the listening socket is closed, and every request read so far is
    answered before waitress's workers stop (which would drop queued requests unanswered).
    """

    def __init__(self, wsgi: WsgiApp, *, host: str, port: int, threads: int = 8) -> None:
        self.server = create_server(wsgi, host=host, port=port, threads=threads, ident="dms-bot")
        self._map: dict[int, Any] = getattr(self.server, "map", None) or self.server._map
        self._stopping = threading.Event()
        self._grace = 2.0
        self.thread = threading.Thread(target=self._serve, name="http-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def start(self) -> None:
        self.thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set() and self._map:
            wasyncore.loop(timeout=LOOP_TICK, map=self._map, count=1)
        self._stop_listening()
        end = time.monotonic() + self._grace  # requests in progress finish; this loop writes answers
        while self._busy() and time.monotonic() < end:
            wasyncore.loop(timeout=0.05, map=self._map, count=1)
        self.server.task_dispatcher.shutdown(timeout=0.5)
        wasyncore.loop(timeout=0.05, map=self._map, count=2)  # the last answers' bytes
        wasyncore.close_all(self._map, ignore_all=True)

    def _stop_listening(self) -> None:
        """Accept the connections the kernel already holds for us, then close the listening socket,
        so no client that connected in time sees its connection reset."""
        listener = self.server.socket
        for _ in range(1000):
            if listener is None or not select.select([listener], [], [], 0)[0]:
                break
            self.server.handle_accept()
        self.server.close()

    def _busy(self) -> bool:
        """Whether a connection has a request being read, handled or answered."""
        return any(
            ch.request is not None or ch.requests or ch.total_outbufs_len
            for ch in list(self._map.values())
            if isinstance(ch, HTTPChannel)
        )

    def close(self, timeout: float = 2.0) -> None:
        """Stop accepting, give requests in progress up to ``timeout`` seconds, close every socket."""
        self._grace = timeout
        self._stopping.set()
        wake = getattr(self.server, "pull_trigger", None)
        if wake is not None and self.thread.is_alive():
            wake()  # interrupt the loop's select() now rather than at the next tick
        if self.thread.ident is not None:
            self.thread.join(timeout + 1)
