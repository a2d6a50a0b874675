"""The bot's own exceptions and values, as a traceback or a log line would show them: ``str`` and
``repr`` of every error raised on a path that handled a secret carry none of it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.aws.secrets import load_secret
from bot.config import load_settings
from bot.deliver.webhook import post_report
from bot.errors import BotError, SecretsError, SlackError, WebhookError
from bot.settings import Secret, SlackSettings
from bot.sim import SimServer
from bot.slack.client import build_web_client, to_slack_error
from tests.support import secrets as s
from tests.support.fakes.http_receiver import HttpReceiver, Step
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import CHANNEL, InProcessBot, fault_settings, small_fleet


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver(path=s.HOOK_PATH) as hook:
        yield hook


def shown(exc: BaseException) -> dict[str, str]:
    """What a log line, a traceback's last line and a debugger would show of ``exc``."""
    return {"str": str(exc), "repr": repr(exc), "args": repr(exc.args), "cause": repr(exc.__cause__)}


@pytest.mark.parametrize(
    "script",
    [[500] * 4, [401], [Step(close_connection=True)] * 4, [Step(delay=2)] * 4],
    ids=["5xx", "401", "reset", "timeout"],
)
def test_webhook_errors_name_the_host_only(receiver: HttpReceiver, script: list[Any]) -> None:
    """Whatever the webhook does, the WebhookError names its host, never the token in the path."""
    receiver.script(script)
    with pytest.raises(WebhookError) as caught:
        post_report(
            receiver.url, {"status": "failure"}, timeout=0.5, retries=1, signing_secret=s.WEBHOOK_SECRET
        )
    assert "127.0.0.1" in str(caught.value)
    s.assert_no_leak(**shown(caught.value))


def test_webhook_refused_connection(receiver: HttpReceiver) -> None:
    """Nothing listening: the error still names only the host."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}{s.HOOK_PATH}"
    with pytest.raises(WebhookError) as caught:
        post_report(url, {}, timeout=0.5, retries=0)
    s.assert_no_leak(**shown(caught.value))


def test_slack_errors_carry_slack_s_code_not_the_token() -> None:
    """invalid_auth from Slack, and an unreachable Slack: the bot's SlackError has no token."""
    with FakeSlackApi() as slack:  # knows a different token
        client = build_web_client(SlackSettings(bot_token=Secret(s.BOT_TOKEN), api_url=slack.url))
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="x")
        error = to_slack_error(caught.value)
    assert error.code == "invalid_auth"
    s.assert_no_leak(**shown(error))
    offline = WebClient(token=s.BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=1)
    with pytest.raises(Exception) as unreachable:
        offline.auth_test()
    s.assert_no_leak(**shown(to_slack_error(unreachable.value)))
    fake = SlackApiError(
        "bad",
        SlackResponse(
            client=offline,
            http_verb="POST",
            api_url="u",
            req_args={},
            data={"ok": False, "error": "token_revoked"},
            headers={},
            status_code=200,
        ),
    )
    s.assert_no_leak(**shown(to_slack_error(fake)))


class _SecretsClient:
    """A Secrets Manager client answering with a given SecretString."""

    def __init__(self, text: object) -> None:
        self.text = text

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        return {"SecretString": self.text}


@pytest.mark.parametrize(
    "text",
    [s.BOT_TOKEN, f'{{"SLACK_BOT_TOKEN": "{s.BOT_TOKEN}"', f'["{s.BOT_TOKEN}"]', None],
    ids=["plain", "broken-json", "array", "binary"],
)
def test_a_malformed_secret_is_not_quoted(text: object) -> None:
    """A secret that is not a JSON object: SecretsError says so without its value."""
    with pytest.raises(SecretsError) as caught:
        load_secret("dms-bot/prod", client=_SecretsClient(text))
    s.assert_no_leak(**shown(caught.value))


def test_settings_print_masked() -> None:
    """Settings loaded from a secret-filled environment: repr/str mask every secret."""
    settings = load_settings(
        None, env={**s.secret_env("https://hooks.example.com" + s.HOOK_PATH), "DMS_BOT_CONFIG": ""}
    )
    assert settings.slack.bot_token is not None and settings.slack.bot_token.reveal() == s.BOT_TOKEN
    s.assert_no_leak(
        repr=repr(settings), str=str(settings), slack=repr(settings.slack), webhook=repr(settings.webhook)
    )


def test_start_up_with_a_rejected_token_raises_a_clean_error(tmp_path: Path) -> None:
    """create_app with a token Slack rejects: a SlackError with the reason, without the token."""
    with FakeSlackApi() as slack, SimServer(small_fleet(), throttling=False) as sim:
        slack.add_channel(CHANNEL)
        settings = fault_settings(slack)
        settings = replace(settings, slack=replace(settings.slack, bot_token=Secret(s.BOT_TOKEN)))
        bot = InProcessBot(sim, slack, settings, tmp_path / "bot.sqlite3")
        try:
            with pytest.raises(SlackError) as caught:
                bot.app  # noqa: B018
        finally:
            bot.close()
    assert "invalid_auth" in str(caught.value)
    s.assert_no_leak(**shown(caught.value))


def test_every_bot_error_type_masks_a_secret_handed_as_a_setting() -> None:
    """Secret() itself: formatting it anywhere (f-strings, %, repr, exceptions) shows asterisks."""
    secret = Secret(s.SIGNING_SECRET)
    texts = [f"{secret}", "%s" % secret, repr(secret), str(BotError(f"signing secret {secret} rejected"))]  # noqa: UP031
    s.assert_no_leak(texts=texts)
