"""The HTTP API notification against a real local receiver: payload, retries, timeout, 4xx."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest

from bot.core.models import Report
from bot.core.report import to_document
from bot.deliver.webhook import post_report, redact_url
from bot.errors import WebhookError
from tests.support.fakes.http_receiver import HttpReceiver, Step

DOC = to_document(Report(checked_at=datetime(2026, 11, 26, 9, tzinfo=UTC)))


@pytest.fixture
def receiver():
    with HttpReceiver() as server:
        yield server


def test_report_is_posted_as_json(receiver: HttpReceiver) -> None:
    """The body is the report document, sent as application/json."""
    assert post_report(receiver.url, DOC, retries=0) == 200
    [request] = receiver.wait_for(1)
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.json == DOC


def test_5xx_is_retried_with_backoff_until_success(receiver: HttpReceiver) -> None:
    """503 twice then 200: delivered on the third attempt."""
    receiver.script([503, 503, 200])
    assert post_report(receiver.url, DOC, retries=3) == 200
    assert [r.answered for r in receiver.requests()] == [503, 503, 200]


def test_4xx_is_not_retried(receiver: HttpReceiver) -> None:
    """A 400 means the receiver rejects the payload: retrying cannot help."""
    receiver.script([400])
    with pytest.raises(WebhookError, match="answered HTTP 400"):
        post_report(receiver.url, DOC, retries=3)
    assert len(receiver.requests()) == 1


def test_persistent_5xx_gives_up_with_a_clear_error(receiver: HttpReceiver) -> None:
    """After the retries, the last status is reported."""
    receiver.script([500] * 10)
    with pytest.raises(WebhookError, match="answered HTTP 500"):
        post_report(receiver.url, DOC, retries=2)
    assert len(receiver.requests()) == 3


def test_slow_receiver_times_out(receiver: HttpReceiver) -> None:
    """A receiver slower than the timeout is abandoned, not waited for."""
    receiver.script([Step(200, delay=3.0)])
    started = time.monotonic()
    with pytest.raises(WebhookError, match=r"did not answer within 0\.5s"):
        post_report(receiver.url, DOC, timeout=0.5, retries=0)
    assert time.monotonic() - started < 2.5


def test_connection_refused_is_an_error_without_the_url_path() -> None:
    """An unreachable webhook names only the host: URLs often carry tokens."""
    with pytest.raises(WebhookError) as caught:
        post_report("http://127.0.0.1:9/hooks/T000/SECRET-TOKEN", DOC, retries=1, timeout=1)
    assert "SECRET-TOKEN" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_signature_header_is_hmac_of_the_body(receiver: HttpReceiver) -> None:
    """With a signing secret, X-DMS-Bot-Signature is sha256=<hex HMAC of the raw body>."""
    post_report(receiver.url, DOC, retries=0, signing_secret="s3cret")
    [request] = receiver.wait_for(1)
    expected = "sha256=" + hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-dms-bot-signature"] == expected
    assert json.loads(request.body) == DOC


def test_redact_url_keeps_scheme_host_and_port() -> None:
    """The redacted form is enough to recognise the endpoint and nothing more."""
    assert redact_url("https://hooks.slack.com/services/T/B/XYZ") == "https://hooks.slack.com/…"
    assert redact_url("http://127.0.0.1:8080/x?token=1") == "http://127.0.0.1:8080/…"
