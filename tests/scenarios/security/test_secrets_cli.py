"""``check`` and ``doctor`` from a terminal or cron, with every secret set: neither the report (text
or JSON document), nor stderr, nor what the webhook received carries a secret, on any exit path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.sim import FaultRule, SimServer
from tests.support import secrets as s
from tests.support.cli_process import aws_env, run_bot
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import small_fleet

pytestmark = pytest.mark.slow


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver(path=s.HOOK_PATH) as hook:
        yield hook


@pytest.fixture
def sim(start_sim: Callable[..., SimServer]) -> SimServer:
    sim = start_sim(small_fleet())
    sim.set_faults([FaultRule(kind="access_denied", op="DescribeTableStatistics", task="crm-cdc")])
    return sim


def env_for(sim: SimServer, receiver: HttpReceiver, **extra: str) -> dict[str, str]:
    return {**aws_env(sim), **s.secret_env(receiver.url), **extra}


@pytest.mark.parametrize(
    "answers", [[200], [500, 500, 500, 500], [400]], ids=["delivered", "webhook-500", "webhook-400"]
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_never_prints_or_sends_a_secret(
    sim: SimServer, receiver: HttpReceiver, fmt: str, answers: list[int]
) -> None:
    """A sweep with a DMS error, the report on stdout and POSTed (delivered, failing, refused)."""
    receiver.script(answers)
    result = run_bot("check", "--format", fmt, env=env_for(sim, receiver))
    assert result.returncode == 1, result.stderr
    assert receiver.requests(), "the report was POSTed"
    s.assert_no_leak(
        stdout=result.stdout,
        stderr=result.stderr,
        webhook_bodies=[r.body for r in receiver.requests()],
        webhook_headers=[r.headers for r in receiver.requests()],
    )


def test_check_with_the_webhook_down(sim: SimServer, receiver: HttpReceiver) -> None:
    """Connection refused on every retry: stderr names the host, never the token in the path."""
    env = env_for(sim, receiver)
    receiver.stop()
    result = run_bot("check", env=env)
    assert "report not delivered" in result.stderr
    s.assert_no_leak(stdout=result.stdout, stderr=result.stderr)


@pytest.mark.parametrize(
    "config, extra",
    [
        ("[slack]\nchannel = 'not-a-channel'\n", {}),
        ("[webhook]\nurl = 'ftp://host/" + s.MARK + "'\n", {}),
        ("not toml = = =\n", {}),
        ("", {"DMS_BOT_WEBHOOK_URL": "javascript:" + s.MARK}),
        ("", {"SLACK_API_URL": "nope"}),
        ("[[targets]]\nname = 't'\nprofile = 'missing-profile'\n", {}),
    ],
    ids=[
        "bad-channel",
        "secret-ftp-url-in-file",
        "broken-toml",
        "secret-bad-url-in-env",
        "bad-api-url",
        "no-such-profile",
    ],
)
def test_config_errors_do_not_quote_secrets(
    sim: SimServer, receiver: HttpReceiver, tmp_path: Path, config: str, extra: dict[str, str]
) -> None:
    """Every config error is one line, and none repeats a secret (a webhook URL included)."""
    path = tmp_path / "bot.toml"
    path.write_text(config)
    result = run_bot("check", "--config", str(path), env=env_for(sim, receiver, **extra))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    s.assert_no_leak(stdout=result.stdout, stderr=result.stderr)


def test_doctor_never_prints_a_secret(sim: SimServer, receiver: HttpReceiver) -> None:
    """doctor against the fake Slack (one channel missing), a webhook answering 403 and DMS: no secret."""
    receiver.respond_with(403)
    with FakeSlackApi(bot_token=s.BOT_TOKEN, app_token=s.APP_TOKEN) as slack:
        env = env_for(sim, receiver, SLACK_API_URL=slack.url, DMS_BOT_CHANNEL="G0MISSING01")
        result = run_bot("doctor", env=env)
        calls = [r.params for r in slack.requests()]
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    s.assert_no_leak(stdout=result.stdout, stderr=result.stderr, slack=calls)
