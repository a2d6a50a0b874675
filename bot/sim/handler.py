"""HTTP front: the awsJson1.1 wire protocol on ``POST /`` and JSON control endpoints under ``/_sim/``.

The control endpoints let a test drive a simulator running in another process (``python -m bot sim``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.sim.cloudwatch import TARGET_PREFIX as CLOUDWATCH_PREFIX
from bot.sim.engine import Engine, Reply, error_body
from bot.sim.faults import FaultRule

TARGET_PREFIX = "AmazonDMSv20160101."
JSON_11 = "application/x-amz-json-1.1"
JSON_10 = "application/x-amz-json-1.0"  # CloudWatch, as botocore 1.44.8 speaks it
_MAX_BODY = 10 * 1024 * 1024


class SimHTTPServer(ThreadingHTTPServer):
    """One thread per connection (daemon, so a stuck client never blocks exit)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], engine: Engine) -> None:
        self.engine = engine
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, SimRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before its answer (a timeout, a killed bot) is normal, not a
        traceback on stderr; anything else is still reported the standard way."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut keep-alive connections too, so a stopped simulator really stops answering."""
        with self._open_lock:
            open_sockets, self._open = list(self._open), set()
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class SimRequestHandler(BaseHTTPRequestHandler):
    """Speaks just enough HTTP/1.1 (keep-alive, Content-Length) for botocore and the AWS CLI."""

    protocol_version = "HTTP/1.1"
    timeout = 300  # idle keep-alive connections give their thread back eventually
    disable_nagle_algorithm = True  # headers and body go out as separate writes: avoid 40 ms stalls
    server: SimHTTPServer

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if self.path.startswith("/_sim/"):
            self._control("POST", body)
            return
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith(CLOUDWATCH_PREFIX):
            self._serve(
                self.server.engine.handle_cloudwatch(target.removeprefix(CLOUDWATCH_PREFIX), body), JSON_10
            )
            return
        op = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else target
        self._serve(self.server.engine.handle(op, body), JSON_11)

    def _serve(self, reply: Reply, content_type: str) -> None:
        if reply.reset:
            self._reset()
        else:
            self._send(reply, content_type)

    def do_GET(self) -> None:
        if self.path.startswith("/_sim/"):
            self._control("GET", b"")
        else:
            self._send(Reply(404, error_body("NotFound", "POST awsJson1.1 requests to /")))

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo do not want an access log on stderr."""

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self.close_connection = True
            self._send(Reply(400, error_body("SerializationException", "Bad Content-Length")))
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, reply: Reply, content_type: str = JSON_11) -> None:
        body = reply.body if reply.body is not None else {}
        self._write(reply.status, body, content_type, reply.headers)

    def _write(
        self, status: int, body: Any, content_type: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        """Close with RST and no response, the way a dropped connection looks to the client."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _control(self, method: str, body: bytes) -> None:
        route = _ROUTES.get((method, self.path.split("?", 1)[0]))
        if route is None:
            self._send(
                Reply(404, error_body("NotFound", f"no control endpoint {method} {self.path}")),
                "application/json",
            )
            return
        try:
            data = json.loads(body) if body.strip() else None
            result = route(self.server.engine, data)
        except (ValueError, TypeError) as exc:
            self._send(Reply(400, error_body("BadRequest", str(exc))), "application/json")
            return
        self._write(200, result, "application/json")


def _counters(engine: Engine, _: Any) -> dict[str, Any]:
    return dict(engine.counters.snapshot())


def _reset_counters(engine: Engine, _: Any) -> dict[str, Any]:
    engine.counters.reset()
    return {"ok": True}


def _advance(engine: Engine, data: Any) -> dict[str, Any]:
    seconds = data.get("seconds") if isinstance(data, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError('expected {"seconds": <number>}')
    return {"now": engine.clock.advance(float(seconds))}


def _set_faults(engine: Engine, data: Any) -> dict[str, Any]:
    if not isinstance(data, list) or not all(isinstance(rule, dict) for rule in data):
        raise ValueError("expected a JSON list of fault rules ([] clears)")
    engine.set_faults([FaultRule.from_dict(rule) for rule in data])
    return {"rules": engine.faults.active()}


def _faults(engine: Engine, _: Any) -> dict[str, Any]:
    return {"rules": engine.faults.active()}


def _reloads(engine: Engine, _: Any) -> list[dict[str, Any]]:
    with engine.state.lock:
        return [dict(record) for record in engine.state.reloads]


def _now(engine: Engine, _: Any) -> dict[str, Any]:
    now = engine.clock.now()
    return {"now": now, "epoch": engine.state.epoch(now), "tokens": engine.bucket.tokens()}


def _throttling(engine: Engine, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) - {"enabled", "capacity", "refill"}:
        raise ValueError('expected {"enabled": bool, "capacity": n, "refill": n} (any of them)')
    engine.bucket.configure(
        capacity=data.get("capacity"), refill=data.get("refill"), enabled=data.get("enabled")
    )
    return {
        "enabled": engine.bucket.enabled,
        "capacity": engine.bucket.capacity,
        "refill": engine.bucket.refill,
    }


def _cdc_latency(engine: Engine, data: Any) -> dict[str, Any]:
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("task"), str)
        or set(data) - {"task", "source", "target"}
    ):
        raise ValueError('expected {"task": "<id or ARN>", "source": seconds|null, "target": seconds|null}')
    try:
        engine.set_cdc_latency(data["task"], source=data.get("source"), target=data.get("target"))
    except KeyError as exc:
        raise ValueError(str(exc)) from None
    return {"ok": True}


_ROUTES: dict[tuple[str, str], Callable[[Engine, Any], Any]] = {
    ("GET", "/_sim/counters"): _counters,
    ("POST", "/_sim/reset"): _reset_counters,
    ("POST", "/_sim/advance"): _advance,
    ("GET", "/_sim/faults"): _faults,
    ("POST", "/_sim/faults"): _set_faults,
    ("GET", "/_sim/reloads"): _reloads,
    ("GET", "/_sim/now"): _now,
    ("POST", "/_sim/throttling"): _throttling,
    ("POST", "/_sim/cdc_latency"): _cdc_latency,
}
