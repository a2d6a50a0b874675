"""Loopback Slack Socket Mode endpoint built on `websockets` (sync server in a thread)."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve


@dataclass(frozen=True)
class SocketAck:
    """An ack the client sent for an envelope, with seconds since the envelope went out."""

    envelope_id: str
    message: dict[str, Any]
    latency: float


class FakeSocketMode:
    """Serves `ws://127.0.0.1:PORT/link/?ticket=...`, says hello, sends envelopes, collects acks."""

    def __init__(self, *, app_id: str = "A123", ping_interval: float | None = 0.5) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self.connections_opened = 0
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._clients: list[ServerConnection] = []
        self._sent_at: dict[str, float] = {}
        self._acks: dict[str, SocketAck] = {}
        self._received: list[dict[str, Any]] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind 127.0.0.1:0 and serve in a daemon thread."""
        if self._server is not None:
            return
        self._server = serve(
            self._handler,
            "127.0.0.1",
            0,
            compression=None,
            process_request=self._check_ticket,
            ping_interval=self.ping_interval,
            close_timeout=2,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection and the listening socket."""
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._server is None:
            raise RuntimeError("socket mode server not started")
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A fresh single-use WebSocket URL, as apps.connections.open returns."""
        ticket = secrets.token_hex(8)
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"

    def _check_ticket(self, conn: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = parse_qs(parts.query).get("ticket", [""])[0]
        with self._cond:
            if parts.path.rstrip("/") == "/link" and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return conn.respond(401, "invalid ticket\n")

    def _handler(self, conn: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        try:
            conn.send(json.dumps(hello))
            with self._cond:
                self._clients.append(conn)
                self.connections_opened += 1
                self._cond.notify_all()
            for raw in conn:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if conn in self._clients:
                    self._clients.remove(conn)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        with self._cond:
            self._received.append(message)
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str) and envelope_id in self._sent_at:
                latency = time.monotonic() - self._sent_at[envelope_id]
                self._acks[envelope_id] = SocketAck(envelope_id, message, latency)
            self._cond.notify_all()

    def socket_connected(self, timeout: float = 5.0) -> bool:
        """Wait until at least one client holds an open connection."""
        with self._cond:
            return self._cond.wait_for(lambda: bool(self._clients), timeout=timeout)

    def send_envelope(
        self,
        payload: dict[str, Any],
        *,
        type: str = "slash_commands",
        envelope_id: str | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Deliver an envelope to the newest connected client (as Slack picks one); return its id."""
        if not self.socket_connected(timeout):
            raise AssertionError(f"no Socket Mode client connected within {timeout}s")
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": type, "payload": payload}
        envelope["accepts_response_payload"] = type != "events_api"
        if type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        with self._cond:
            client = self._clients[-1]
            self._sent_at[envelope_id] = time.monotonic()
        client.send(json.dumps(envelope))
        return envelope_id

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's `disconnect` message to every client (they should reconnect)."""
        with self._cond:
            clients = list(self._clients)
        for client in clients:
            client.send(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {}}))

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack message `{"envelope_id": ..., "payload": ...}` for an envelope."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout=timeout):
                got = [m.get("envelope_id") for m in self._received]
                raise AssertionError(f"no ack for {envelope_id} within {timeout}s; acks seen: {got}")
            return dict(self._acks[envelope_id].message)

    def acks(self) -> list[SocketAck]:
        """All acks received so far (with latency)."""
        with self._cond:
            return list(self._acks.values())

    def received(self) -> list[dict[str, Any]]:
        """Every JSON message clients sent."""
        with self._cond:
            return list(self._received)
