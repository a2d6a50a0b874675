"""HTTP mode facing the internet (``serve --http`` subprocess): a request Slack did not sign just
now, for this body, exactly once, is refused before any work — no DMS call, no answer posted, no
stack trace in the log. Extends tests/slack/test_http_e2e.py (bad signature, 5-minute-old timestamp,
>1 MB body, text/xml), which it does not repeat.

Replays: Bolt accepts a correctly signed request for five minutes, and Slack never re-sends a slash
command or a click, so the bot remembers each signature it handled (bot/slack/replay.py) and
refuses it the second time: a captured Revalidate click cannot trigger a second ReloadTables.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from bot.render.buttons import Action
from bot.sim import SimServer
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import (
    block_actions_body,
    form_encode,
    interactive_form,
    sign,
    slash_command_body,
)
from tests.support.inprocess import small_fleet
from tests.support.serve_process import CHANNEL, SIGNING_SECRET, BotProcess, bot_env, free_port, write_config

pytestmark = pytest.mark.slow
OPERATOR = "U0OPERATOR"
FORM = "application/x-www-form-urlencoded"


class Served:
    def __init__(self, sim: SimServer, slack: FakeSlackApi, bot: BotProcess) -> None:
        self.sim, self.slack, self.bot = sim, slack, bot

    def send(self, body: str | bytes, headers: dict[str, str], *, method: str = "POST") -> requests.Response:
        return requests.request(
            method, f"{self.bot.url}/slack/events", data=body, headers=headers, timeout=10
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("http")
    with SimServer(small_fleet(), throttling=False) as sim, FakeSlackApi() as slack:
        slack.add_channel(CHANNEL)
        config = write_config(
            tmp / "bot.toml",
            slack={"channel": CHANNEL, "operators": [OPERATOR]},
            schedule={"check_every": "1h"},
        )
        port = free_port()
        args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
        bot = BotProcess(args, bot_env(sim.url, slack, tmp), port=port, log=tmp / "bot.log")
        try:
            bot.wait_healthy()
            slack.wait_for("chat.postMessage", timeout=20)  # the start-up sweep is done
            yield Served(sim, slack, bot)
        finally:
            log = bot.log()
            assert bot.stop() == 0
        assert "Traceback" not in log, log


def signed(body: str, *, ctype: str = FORM, **kw: Any) -> dict[str, str]:
    return {"Content-Type": ctype, **sign(body, SIGNING_SECRET, **kw)}


def settle(served: Served) -> tuple[int, int]:
    """DMS calls and response_url posts once in-flight work (if any) has had time to happen."""
    time.sleep(0.5)
    return served.sim.total_calls(), len(served.slack.response_posts())


def test_a_replayed_slash_command_is_refused(served: Served) -> None:
    """The same signed ``/dms check`` sent twice within the 5 minutes: answered once, then 401."""
    url = served.slack.new_response_url()
    body = form_encode(slash_command_body(text="check orders-cdc", response_url=url, channel_id=CHANNEL))
    headers = signed(body)
    assert served.send(body, headers).status_code == 200
    served.slack.wait_for_response(1, timeout=15, id=url)
    before = settle(served)
    assert served.send(body, headers).status_code == 401
    assert settle(served) == before
    assert len(served.slack.response_posts(url)) == 1


def test_a_replayed_revalidate_click_reloads_once(served: Served) -> None:
    """An operator's Revalidate click captured and sent again: one ReloadTables, the replay 401."""
    post = next(
        p for p in served.slack.requests("chat.postMessage") if p.params["text"].startswith("billing-cdc")
    )
    value = next(
        e["value"]
        for b in post.params["blocks"]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == Action.REVALIDATE
    )
    payload = block_actions_body(
        Action.REVALIDATE,
        value,
        user_id=OPERATOR,
        channel_id=CHANNEL,
        message_ts=post.response["ts"],
        response_url=served.slack.new_response_url(),
    )
    body = interactive_form(payload)
    headers = signed(body)
    assert served.send(body, headers).status_code == 200
    deadline = time.monotonic() + 15
    while not served.sim.reloads() and time.monotonic() < deadline:
        time.sleep(0.1)
    reloads = served.sim.reloads()
    assert len(reloads) == 1, reloads
    assert served.send(body, headers).status_code == 401
    settle(served)
    assert served.sim.reloads() == reloads


def _now() -> int:
    return int(time.time())


def unsigned_cases() -> list[tuple[str, str | bytes, dict[str, str], int, str]]:
    body = form_encode(slash_command_body(text="check orders-cdc", response_url="http://127.0.0.1:9/x"))
    other = form_encode(slash_command_body(text="help", response_url="http://127.0.0.1:9/x"))
    return [
        ("no-signature-headers", body, {"Content-Type": FORM}, 401, "POST"),
        ("timestamp-not-a-number", body, {**signed(body), "X-Slack-Request-Timestamp": "1e9"}, 401, "POST"),
        (
            "timestamp-superscript-digits",
            body,
            {**signed(body), "X-Slack-Request-Timestamp": "¹²³"},
            401,
            "POST",
        ),
        ("timestamp-in-the-future", body, signed(body, timestamp=_now() + 600), 401, "POST"),
        ("signature-of-another-body", body, signed(other), 401, "POST"),
        ("signature-garbage", body, {**signed(body), "X-Slack-Signature": "v0=<!channel>"}, 401, "POST"),
        (
            "unsigned-broken-payload-json",
            "payload=%7Bnot-json",
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(_now()), "X-Slack-Signature": "v0=00"},
            400,
            "POST",
        ),
        (
            "unsigned-json-array",
            "[1,2]",
            {
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": str(_now()),
                "X-Slack-Signature": "v0=00",
            },
            400,
            "POST",
        ),
        ("multipart", body, {**signed(body), "Content-Type": "multipart/form-data; boundary=x"}, 415, "POST"),
        ("get-instead-of-post", "", {}, 405, "GET"),
    ]


@pytest.mark.parametrize("name", [c[0] for c in unsigned_cases()])
def test_requests_not_signed_by_slack_do_no_work(served: Served, name: str) -> None:
    """Refused with the status named, before any work: no DMS call, no answer, no stack trace.

    Each case is signed when the test runs, not at collection: a timestamp "10 minutes ahead" made
    at collection is inside Bolt's 5-minute window once the suite has run for 5 minutes."""
    _, body, headers, status, method = next(c for c in unsigned_cases() if c[0] == name)
    before = settle(served)
    response = served.send(body, headers, method=method)
    assert response.status_code == status, (response.status_code, response.text)
    assert settle(served) == before


def test_a_chunked_body_over_the_limit_is_refused(served: Served) -> None:
    """2 MB sent chunked (no Content-Length to check up front): refused, no work, no stack trace."""
    before = settle(served)

    def chunks() -> Iterator[bytes]:
        for _ in range(32):
            yield b"text=" + b"x" * 65_536

    response = requests.post(
        f"{served.bot.url}/slack/events",
        data=chunks(),
        headers={"Content-Type": FORM, **sign("", SIGNING_SECRET)},
        timeout=10,
    )
    assert response.status_code in (401, 413), response.status_code
    assert settle(served) == before


def test_nothing_it_refused_left_a_trace_of_work(served: Served) -> None:
    """After all of the above, the log has refusals and no stack trace."""
    log = served.bot.log()
    assert "Traceback" not in log
    assert "replayed" in log
    assert json.dumps(log)  # printable enough to ship
