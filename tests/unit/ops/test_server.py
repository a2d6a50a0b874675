"""The ops HTTP endpoints without a Slack app (Socket Mode's health server), in-process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.ops.metrics import Metrics
from bot.ops.server import HttpServer, WsgiApp

State = dict[str, Any]


@pytest.fixture
def server() -> Iterator[tuple[HttpServer, State]]:
    state: State = {"ready": True}
    metrics = Metrics()
    metrics.delivered("slack.post")
    wsgi = WsgiApp(
        None,
        health=lambda: (state["ready"], {"status": "ok" if state["ready"] else "unavailable"}),
        metrics=metrics.render,
        metrics_type=metrics.content_type,
    )
    http = HttpServer(wsgi, host="127.0.0.1", port=0)
    http.start()
    yield http, state
    http.close()


def test_healthz_answers_200_or_503_with_json(server: tuple[HttpServer, State]) -> None:
    """The probe's verdict decides the status code; the body is its JSON."""
    http, state = server
    url = f"http://127.0.0.1:{http.port}/healthz"
    ok = requests.get(url, timeout=5)
    assert (ok.status_code, ok.json()) == (200, {"status": "ok"})
    state["ready"] = False
    down = requests.get(url, timeout=5)
    assert (down.status_code, down.json()) == (503, {"status": "unavailable"})
    assert requests.head(url, timeout=5).status_code == 503


def test_metrics_is_prometheus_text(server: tuple[HttpServer, State]) -> None:
    """GET /metrics serves the registry in the Prometheus text format."""
    http, _ = server
    answer = requests.get(f"http://127.0.0.1:{http.port}/metrics", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    assert 'dms_bot_alerts_sent_total{kind="post"} 1.0' in answer.text


def test_without_a_slack_app_events_are_not_found(server: tuple[HttpServer, State]) -> None:
    """Socket Mode's health server has no /slack/events."""
    http, _ = server
    answer = requests.post(f"http://127.0.0.1:{http.port}/slack/events", data=b"{}", timeout=5)
    assert answer.status_code == 404


def test_close_returns_promptly_with_a_kept_alive_connection() -> None:
    """Closing the server does not wait for clients that keep their connection open."""
    http = HttpServer(WsgiApp(None, health=lambda: (True, {})), host="127.0.0.1", port=0)
    http.start()
    with requests.Session() as session:
        assert session.get(f"http://127.0.0.1:{http.port}/healthz", timeout=5).status_code == 200
        http.close(timeout=2)
        assert not http.thread.is_alive()


def test_a_request_in_progress_at_close_still_gets_its_answer() -> None:
    """close() lets a request being served finish and flushes its answer before closing sockets."""
    entered = threading.Event()

    def slow_health() -> tuple[bool, dict[str, Any]]:
        entered.set()
        time.sleep(0.5)
        return True, {"status": "ok"}

    http = HttpServer(WsgiApp(None, health=slow_health), host="127.0.0.1", port=0)
    http.start()
    answers: list[int] = []
    client = threading.Thread(
        target=lambda: answers.append(
            requests.get(f"http://127.0.0.1:{http.port}/healthz", timeout=5).status_code
        )
    )
    client.start()
    assert entered.wait(5)
    http.close(timeout=2)
    client.join(5)
    assert answers == [200]
    assert not http.thread.is_alive()


def test_requests_queued_behind_a_busy_worker_at_close_are_answered_too() -> None:
    """One worker busy, more requests waiting for it when close() comes: every one is answered
    (waitress's own shutdown cancels queued requests, which closes their connections unanswered)."""
    entered = threading.Event()

    def slow_health() -> tuple[bool, dict[str, Any]]:
        entered.set()
        time.sleep(0.3)
        return True, {"status": "ok"}

    http = HttpServer(WsgiApp(None, health=slow_health), host="127.0.0.1", port=0, threads=1)
    http.start()
    answers: list[int | str] = []

    def get() -> None:
        try:
            answers.append(requests.get(f"http://127.0.0.1:{http.port}/healthz", timeout=5).status_code)
        except requests.RequestException as exc:
            answers.append(type(exc).__name__)

    clients = [threading.Thread(target=get) for _ in range(3)]
    clients[0].start()
    assert entered.wait(5)
    for client in clients[1:]:
        client.start()
    time.sleep(0.1)  # both are read and queued behind the busy worker
    http.close(timeout=3)
    for client in clients:
        client.join(5)
    assert answers == [200, 200, 200]
