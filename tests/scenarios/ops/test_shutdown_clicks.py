"""SIGTERM while slash commands and button clicks are in flight on ``serve --http``: every request
the bot accepted is answered (its work finishes within the shutdown deadline, or the user is told
the bot is restarting), nothing ends in a traceback, and the process exits 0. The race between the
signal and the requests is run REPS times, the signal landing at a different moment each time."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from bot.render.buttons import Action, encode_value
from bot.render.help import RESTARTING
from bot.sim import SimServer, build_fleet
from tests.scenarios.ops.conftest import StartServe
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import (
    block_actions_body,
    form_encode,
    interactive_form,
    slash_command_body,
)
from tests.support.serve_process import CHANNEL, BotProcess

pytestmark = pytest.mark.slow
REPS = int(os.environ.get("DMS_BOT_SIGTERM_REPS", "7"))
REQUESTS = 12  # per repetition, spread over SPREAD seconds: before, around and after the signal
SPREAD = 2.0
DEADLINE = "1.5"


@dataclass
class Sent:
    """One request: what came back (HTTP status and body, or the connection error's kind)."""

    kind: str
    response_url: str
    status: int | None = None
    body: str = ""
    error: str | None = None


def _request(bot: BotProcess, slack: FakeSlackApi, n: int) -> tuple[str, str, str]:
    """(kind, response_url, form body): a slow check, a fast help, or a Re-check click (all tasks)."""
    url = slack.new_response_url()
    if n % 3 == 0:
        click = block_actions_body(Action.RECHECK, encode_value({"scope": "all"}), channel_id=CHANNEL,
                                   response_url=url)  # fmt: skip
        click["container"]["is_ephemeral"] = True  # answered through response_url
        return "click", url, interactive_form(click)
    text = "check" if n % 3 == 1 else "help"
    return text, url, form_encode(slash_command_body(text=text, response_url=url, channel_id=CHANNEL))


def _send(bot: BotProcess, slack: FakeSlackApi, n: int, at: float) -> Sent:
    kind, url, body = _request(bot, slack, n)
    time.sleep(max(0.0, at - time.monotonic()))
    sent = Sent(kind, url)
    try:
        answer = bot.post(body, content_type="application/x-www-form-urlencoded")
    except requests.ConnectionError as exc:
        refused = "refused" in repr(exc).lower()  # the bot had stopped listening: never accepted
        sent.error = "refused" if refused else f"dropped: {exc!r}"[:300]
        return sent
    except requests.RequestException as exc:
        sent.error = f"no answer: {exc!r}"[:300]
        return sent
    sent.status, sent.body = answer.status_code, answer.text
    return sent


def _answered(sent: Sent, slack: FakeSlackApi) -> bool:
    if sent.status != 200:
        return False
    if RESTARTING in sent.body:
        return True
    return bool(slack.response_posts(sent.response_url))


def _texts(slack: FakeSlackApi, url: str) -> str:
    return json.dumps([p.body for p in slack.response_posts(url)])


def _one_race(start_bot: StartServe, sim: SimServer, slack: FakeSlackApi, rng: random.Random) -> list[Sent]:
    bot = start_bot(sim, slack, env={"DMS_BOT_SHUTDOWN_DEADLINE": DEADLINE})
    signal_at = rng.uniform(0.1, 1.0)
    start = time.monotonic() + 0.05
    with ThreadPoolExecutor(REQUESTS) as pool:
        futures = [pool.submit(_send, bot, slack, n, start + SPREAD * n / REQUESTS) for n in range(REQUESTS)]
        time.sleep(max(0.0, start + signal_at - time.monotonic()))
        bot.proc.send_signal(signal.SIGTERM)
        results = [f.result() for f in futures]
    code = bot.proc.wait(30)
    log = bot.log()
    assert code == 0, log
    assert "Traceback" not in log, log
    for sent in results:
        if sent.error == "refused":
            continue
        assert sent.error is None, f"{sent}\n{log}"
        assert _answered(sent, slack), f"never answered: {sent} {_texts(slack, sent.response_url)}\n{log}"
    return results


def test_sigterm_under_clicks_answers_every_request_and_exits_0(
    start_bot: StartServe, start_sim: Callable[..., SimServer], slack: FakeSlackApi
) -> None:
    sim = start_sim(build_fleet(6, 3, problems=0.0, seed=1), latency=0.25)
    rng = random.Random(17)
    started = time.monotonic()
    accepted = restarting = refused = 0
    for _ in range(REPS):
        results = _one_race(start_bot, sim, slack, rng)
        accepted += sum(1 for r in results if r.status == 200)
        refused += sum(1 for r in results if r.error == "refused")
        restarting += sum(1 for r in results if r.status == 200 and (
            RESTARTING in r.body or RESTARTING in _texts(slack, r.response_url)))  # fmt: skip
    took = time.monotonic() - started
    print(
        f"{REPS} SIGTERM races in {took:.1f}s: {accepted} requests accepted, {restarting} told 'restarting'"
    )
    assert accepted >= REPS * REQUESTS // 3  # the signal really landed among requests in flight
