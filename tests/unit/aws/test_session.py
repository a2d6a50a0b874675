"""Secrets Manager and STS AssumeRole against moto's server mode (real boto3 over HTTP)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bot.aws.secrets import load_secret
from bot.aws.session import make_session
from bot.config import load_settings
from bot.errors import SecretsError
from bot.settings import Secret, Target
from bot.sim import SimServer, build_fleet
from tests.support.simtools import REGION, checker_for, settings_for

ROLE = "arn:aws:iam::123456789012:role/dms-readonly"


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port if server._server else 0  # moto exposes no public port attribute
    url = f"http://127.0.0.1:{port}"
    for name in ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "base-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "base-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    yield url
    server.stop()


def secrets_client() -> object:
    return boto3.client("secretsmanager", region_name=REGION)


def test_secret_fills_unset_settings(moto_url: str) -> None:
    """DMS_BOT_SECRET_ID names a JSON secret whose keys fill SLACK_*/DMS_BOT_* values not already set."""
    client = secrets_client()
    payload = {
        "SLACK_BOT_TOKEN": "xoxb-from-secret",
        "DMS_BOT_CHANNEL": "C0123456789",
        "SLACK_APP_TOKEN": "xapp-s",
    }
    client.create_secret(Name="dms-bot/prod", SecretString=json.dumps(payload))  # type: ignore[attr-defined]
    env = {"DMS_BOT_SECRET_ID": "dms-bot/prod", "SLACK_APP_TOKEN": "xapp-env", "DMS_BOT_CONFIG": ""}
    settings = load_settings(None, env=env, secret_loader=load_secret)
    assert settings.slack.bot_token == Secret("xoxb-from-secret")
    assert settings.slack.app_token == Secret("xapp-env")
    assert settings.slack.channel == "C0123456789"


def test_secret_that_is_not_json_is_a_clear_error(moto_url: str) -> None:
    """A plain-text secret is rejected without printing its value."""
    secrets_client().create_secret(Name="plain", SecretString="xoxb-leaky-value")  # type: ignore[attr-defined]
    with pytest.raises(SecretsError) as caught:
        load_secret("plain")
    assert "not a JSON object" in str(caught.value)
    assert "xoxb-leaky-value" not in str(caught.value)


def test_missing_secret_names_the_secret_and_the_aws_error(moto_url: str) -> None:
    """An unknown secret id gives the AWS error code, not a traceback."""
    with pytest.raises(SecretsError, match=r"cannot read secret 'nope'.*ResourceNotFoundException"):
        load_secret("nope")


def test_assume_role_session_gets_temporary_credentials(moto_url: str) -> None:
    """With role_arn, the session's credentials come from STS AssumeRole (not the base keys)."""
    session = make_session(Target(name="x", region=REGION, role_arn=ROLE))
    creds = session.get_credentials().get_frozen_credentials()
    assert creds.access_key != "base-key"
    assert creds.token
    identity = session.client("sts", region_name=REGION).get_caller_identity()
    assert "assumed-role/dms-readonly" in identity["Arn"]


def test_sweep_through_an_assumed_role(moto_url: str, start_sim: Callable[..., SimServer]) -> None:
    """A target with role_arn sweeps the simulator with the assumed credentials."""
    sim = start_sim(build_fleet(2, 5))
    target = Target(name="prod", region=REGION, role_arn=ROLE)
    checker = checker_for(sim.url, settings_for(target), session_factory=make_session)
    report = checker.sweep()
    assert [v.target for v in report.tasks] == ["prod", "prod"]
    assert report.errors == ()
