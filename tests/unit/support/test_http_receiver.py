"""The local webhook receiver records requests and answers as scripted."""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.fakes.http_receiver import HttpReceiver, Step


def test_records_json_post():
    """A JSON POST is recorded with headers, raw body and parsed JSON."""
    with HttpReceiver() as hook:
        resp = requests.post(hook.url, json={"status": "failure"}, headers={"X-Token": "t"}, timeout=5)
        assert (resp.status_code, resp.text) == (200, "ok")
        (req,) = hook.wait_for(1)
        assert (req.method, req.path, req.json, req.answered) == ("POST", "/hook", {"status": "failure"}, 200)
        assert req.headers["x-token"] == "t" and req.body == b'{"status": "failure"}'


def test_script_then_default():
    """Scripted status codes are consumed in order, then the default 200 applies."""
    with HttpReceiver() as hook:
        hook.script([503, 503, Step(status=201, body={"id": 1})])
        got = [requests.post(hook.url, data=b"x", timeout=5).status_code for _ in range(4)]
        assert got == [503, 503, 201, 200]
        assert [r.answered for r in hook.requests()] == got


def test_respond_with_changes_default():
    """respond_with sets status, body and headers for later requests."""
    with HttpReceiver() as hook:
        hook.respond_with(418, "teapot", {"X-Reason": "tea"})
        resp = requests.get(hook.url, timeout=5)
        assert (resp.status_code, resp.text, resp.headers["X-Reason"]) == (418, "teapot", "tea")


def test_delay_makes_slow_receiver():
    """A delay longer than the client's timeout makes the client time out; the request is still recorded."""
    with HttpReceiver(delay=1.0) as hook:
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            requests.post(hook.url, json={}, timeout=0.2)
        assert time.monotonic() - started < 0.9
        assert len(hook.wait_for(1, timeout=1)) == 1


def test_close_connection_resets():
    """close_connection drops the connection without an answer."""
    with HttpReceiver() as hook:
        hook.script([Step(close_connection=True)])
        with pytest.raises(requests.ConnectionError):
            requests.post(hook.url, json={"a": 1}, timeout=5)
        assert requests.post(hook.url, json={"a": 1}, timeout=5).status_code == 200
        assert [r.answered for r in hook.requests()] == [None, 200]


def test_wait_for_timeout_reports():
    """wait_for raises AssertionError when too few requests arrive."""
    with HttpReceiver() as hook, pytest.raises(AssertionError, match="expected 1 requests"):
        hook.wait_for(1, timeout=0.1)
