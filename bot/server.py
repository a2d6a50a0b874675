"""HTTP mode: Bolt's WSGI adapter served by waitress (a production WSGI server, not Bolt's
development server), plus ``GET /healthz``. Requests that are obviously not from Slack (too big,
wrong content type) are refused before any work is done."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack payloads are far smaller; anything bigger is refused unread
_SLACK_TYPES = ("application/x-www-form-urlencoded", "application/json")

StartResponse = Callable[..., Any]
Health = Callable[[], tuple[bool, dict[str, Any]]]


def _reply(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class WsgiApp:
    def __init__(self, app: App, *, health: Health) -> None:
        self.slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self.health = health

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, details = self.health()
            return _reply(start_response, "200 OK" if ok else "503 Service Unavailable", details)
        if path != EVENTS_PATH:
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
        result: Iterable[bytes] = self.slack(environ, start_response)
        return result


class HttpServer:
    """waitress in a background thread; ``close()`` stops accepting and ends the loop."""

    def __init__(self, wsgi: WsgiApp, *, host: str, port: int, threads: int = 8) -> None:
        self.server = create_server(wsgi, host=host, port=port, threads=threads, ident="dms-bot")
        self.thread = threading.Thread(target=self.server.run, name="http-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 5.0) -> None:
        self.server.close()
        self.thread.join(timeout)
