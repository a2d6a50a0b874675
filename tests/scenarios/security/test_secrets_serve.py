"""``serve`` run with recognisable tokens and secrets through good and bad days: no secret appears
in its log, in anything it sent to Slack, in what the webhook received (body and headers), or in its
SQLite file — including when Slack refuses the token, the webhook fails, and DMS errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from bot.render.buttons import Action
from bot.sim import FaultRule, SimServer
from tests.support import secrets as s
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.fakes.slack_payloads import (
    block_actions_body,
    form_encode,
    interactive_form,
    sign,
    slash_command_body,
)
from tests.support.inprocess import small_fleet
from tests.support.serve_process import CHANNEL, BotProcess, bot_env, free_port, write_config

pytestmark = pytest.mark.slow
STATS = "DescribeTableStatistics"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver(path=s.HOOK_PATH) as hook:
        yield hook


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(bot_token=s.BOT_TOKEN, app_token=s.APP_TOKEN) as fake:
        fake.add_channel(CHANNEL)
        yield fake


def start(
    sim: SimServer, slack: FakeSlackApi, tmp: Path, env: dict[str, str], *, wait: bool = True
) -> BotProcess:
    config = write_config(
        tmp / "bot.toml",
        slack={"channel": CHANNEL},
        schedule={"check_every": "10s"},
        dms_api={"max_attempts": 2},  # a throttled call gives up after one retry: a quick test
    )
    port = free_port()
    args = ["serve", "--config", str(config), "--http", "--port", str(port), "--host", "127.0.0.1"]
    bot = BotProcess(args, bot_env(sim.url, slack, tmp, env), port=port, log=tmp / "serve.log")
    if wait:
        bot.wait_healthy()
    return bot


def post(bot: BotProcess, body: str) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, s.SIGNING_SECRET)}
    requests.post(f"{bot.url}/slack/events", data=body.encode(), headers=headers, timeout=10)


def everything_slack_saw(slack: FakeSlackApi) -> list[object]:
    """Every Web API call's parameters and every response_url body (not the auth header: the
    bot token belongs there)."""
    return [r.params for r in slack.requests()] + [p.body for p in slack.response_posts()]


def test_serve_on_a_bad_day_leaks_no_secret(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, receiver: HttpReceiver, tmp_path: Path
) -> None:
    """A bad day (webhook, Slack and DMS failing) leaks no secret to log, Slack, webhook or DB."""
    sim = start_sim(small_fleet())
    sim.set_faults(
        [
            FaultRule(kind="access_denied", op=STATS, task="crm-cdc"),
            FaultRule(kind="throttle", op=STATS, task="inventory-cdc"),
        ]
    )
    receiver.script([500, 400])
    slack.fail_next("chat.postMessage", error="invalid_auth")
    bot = start(sim, slack, tmp_path, s.secret_env(receiver.url))
    try:
        receiver.wait_for(2, timeout=30)  # the report: 500, then (retried by the outbox) 400
        for text in (
            "status billing-cdc",
            "check crm-cdc",
            "tables inventory-cdc",
            "help",
            "status <!channel>",
        ):
            url = slack.new_response_url()
            post(bot, form_encode(slash_command_body(text=text, response_url=url, channel_id=CHANNEL)))
            slack.wait_for_response(1, timeout=15, id=url)
        for action in (Action.RECHECK, Action.SHOW_TABLES):
            url = slack.new_response_url()
            post(
                bot,
                interactive_form(block_actions_body(action, json.dumps({"scope": "all"}), response_url=url)),
            )
        time.sleep(1.0)
    finally:
        log = bot.log()
        assert bot.stop() == 0
    db = (tmp_path / "bot.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("bot.sqlite3-*")
    )
    assert "invalid_auth" in log and "webhook" in log  # the bad day did happen, and was logged
    s.assert_no_leak(
        log=log,
        slack=everything_slack_saw(slack),
        webhook_bodies=[r.body for r in receiver.requests()],
        webhook_headers=[r.headers for r in receiver.requests()],
        database=db,
    )


def test_a_rejected_token_at_start_up_is_not_echoed(
    start_sim: Callable[..., SimServer], receiver: HttpReceiver, tmp_path: Path
) -> None:
    """Slack answers invalid_auth to the configured token: the one-line error does not repeat it."""
    sim = start_sim(small_fleet())
    with FakeSlackApi(bot_token="xoxb-the-right-one") as slack:
        bot = start(sim, slack, tmp_path, s.secret_env(receiver.url), wait=False)
        bot.proc.wait(30)
        log = bot.log()
        bot.stop()
    assert bot.proc.returncode == 2 and "invalid_auth" in log
    s.assert_no_leak(log=log, slack=everything_slack_saw(slack))


def test_secrets_read_from_secrets_manager_stay_secret(
    start_sim: Callable[..., SimServer], slack: FakeSlackApi, receiver: HttpReceiver, tmp_path: Path
) -> None:
    """Tokens from DMS_BOT_SECRET_ID (moto): the bot runs with them and never prints them."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        url = f"http://127.0.0.1:{moto._server.server_port if moto._server else 0}"
        client = boto3.client(
            "secretsmanager",
            region_name="eu-west-1",
            endpoint_url=url,
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key=s.AWS_SECRET_KEY,
        )
        values = {k: v for k, v in s.secret_env(receiver.url).items() if not k.startswith("AWS_")}
        name = f"dms-bot/{uuid.uuid4().hex}"  # moto's state outlives its server
        client.create_secret(Name=name, SecretString=json.dumps(values))
        env = {
            "DMS_BOT_SECRET_ID": name,
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
            "AWS_SECRET_ACCESS_KEY": s.AWS_SECRET_KEY,
            "SLACK_BOT_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",
        }
        bot = start(start_sim(small_fleet()), slack, tmp_path, env)
        try:
            slack.wait_for("chat.postMessage", timeout=20)
            receiver.wait_for(1, timeout=20)
        finally:
            log = bot.log()
            assert bot.stop() == 0
    finally:
        moto.stop()
    assert slack.requests("chat.postMessage")[0].ok  # the token from the secret was used
    s.assert_no_leak(
        log=log, slack=everything_slack_saw(slack), webhook=[r.body for r in receiver.requests()]
    )
