"""``dms-bot doctor``: one line per dependency with what to fix; exit 0 only when all pass."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from bot.cli.doctor import report
from bot.doctor import Check, Status
from bot.doctor.aws import GRANT_ALL, GRANT_STATS, check_dms
from bot.settings import Secret, Settings, SlackSettings, Target
from bot.sim import SimServer
from tests.scenarios.ops.conftest import CHANNEL, bot_env, run_doctor, write_config
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.pagerduty import ROUTING_KEY
from tests.support.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlackApi

OTHER = "C0999999999"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver(path="/hooks/doctor-hook-secret") as hook:
        yield hook


@pytest.fixture
def setup(demo_sim: SimServer, slack: FakeSlackApi, receiver: HttpReceiver, tmp_path: Path):
    """A healthy deployment: DMS simulator, Slack fake with the bot in the channel, a webhook."""
    config = write_config(
        tmp_path / "bot.toml",
        slack={"channel": CHANNEL},
        webhook={"url": receiver.url},
        targets=[{"name": "sim"}],
    )
    paging = {"DMS_BOT_PAGERDUTY_ROUTING_KEY": ROUTING_KEY}
    env = bot_env(demo_sim.url, slack, tmp_path, {"SLACK_APP_TOKEN": APP_TOKEN, **paging})
    return env, config


def lines_of(stdout: str) -> dict[str, str]:
    """Check name -> its whole line."""
    found = {}
    for line in stdout.splitlines()[:-1]:
        name = line[2:].split(": ", 1)[0]
        found[name] = line
    return found


def assert_no_secrets(text: str) -> None:
    for secret in (BOT_TOKEN, APP_TOKEN, "doctor-hook-secret", "test-signing-secret", ROUTING_KEY):
        assert secret not in text


def test_a_healthy_deployment_passes_every_check(setup) -> None:
    """Config, DMS listing and statistics, token, channel, modes, webhook, paging and store all pass:
    exit 0."""
    env, config = setup
    result = run_doctor(env, "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = lines_of(result.stdout)
    assert set(lines) == {
        "config", "aws sim", "aws sim table statistics", "aws sim serverless", "aws sim serverless configs",
        "aws sim serverless table statistics", "aws sim serverless CDC lag", "slack token",
        f"slack channel {CHANNEL}", "slack mode", "webhook", "pagerduty", "store",
    }  # fmt: skip
    assert all(line.startswith("✓") for line in lines.values())
    assert "Socket Mode (SLACK_APP_TOKEN works) and HTTP mode" in lines["slack mode"]
    assert (
        lines["aws sim serverless"]
        == "✓ aws sim serverless: dms:DescribeReplications allowed (1 replications)"
    )
    lag = lines["aws sim serverless CDC lag"]  # what ListMetrics showed (the dimension is undocumented)
    assert (
        "found the dimension ReplicationConfigId; 1 of 1 running CDC DMS Serverless replications matched"
        in lag
    )
    assert "paging configured: routing key ******** for 1 of 1 target" in lines["pagerduty"]
    assert result.stdout.splitlines()[-1] == "all 13 checks passed"
    assert_no_secrets(result.stdout + result.stderr)


def test_bot_missing_from_a_channel_says_to_invite_it(setup, slack: FakeSlackApi) -> None:
    """A target channel the bot is not in fails with the /invite to type: exit 1."""
    env, config = setup
    slack.add_channel(OTHER, member=False)
    config.write_text(config.read_text() + f'channel = "{OTHER}"\n')  # the [[targets]] table is last
    result = run_doctor(env, "--config", str(config))
    assert result.returncode == 1
    line = lines_of(result.stdout)[f"slack channel {OTHER}"]
    assert line.startswith("✗") and f"invite @bot to <#{OTHER}>" in line
    assert lines_of(result.stdout)[f"slack channel {CHANNEL}"].startswith("✓")
    assert result.stdout.splitlines()[-1] == "1 of 14 checks failed"


def test_a_channel_the_bot_cannot_read_back_is_a_warning_naming_the_scopes(
    setup, slack: FakeSlackApi
) -> None:
    """Without the history scopes the bot still posts, but cannot look for a post whose answer was
    lost: one warning on the channel's line, and doctor still passes."""
    env, config = setup
    slack.workspace.scopes = [s for s in slack.workspace.scopes if not s.endswith(":history")]
    result = run_doctor(env, "--config", str(config))
    line = lines_of(result.stdout)[f"slack channel {CHANNEL}"]
    assert not line.startswith(("✓", "✗")) and "cannot read its history" in line, line
    assert "channels:history" in result.stdout and "missing_scope" in line
    assert result.returncode == 0, result.stdout


def test_a_bad_bot_token_fails_and_skips_the_channel_checks(setup) -> None:
    """invalid_auth from auth.test: the token line says where to get a good one."""
    env, config = setup
    result = run_doctor({**env, "SLACK_BOT_TOKEN": "xoxb-revoked-000000"}, "--config", str(config))
    assert result.returncode == 1
    lines = lines_of(result.stdout)
    assert lines["slack token"].startswith("✗") and "invalid_auth" in lines["slack token"]
    assert "Bot User OAuth Token" in lines["slack token"]
    assert lines[f"slack channel {CHANNEL}"].startswith("- ")
    assert "xoxb-revoked-000000" not in result.stdout


def test_unreachable_dms_fails_the_target_with_where_to_look(setup) -> None:
    """A DMS endpoint nobody answers: the target fails quickly, naming the endpoint variable."""
    env, config = setup
    env = {**env, "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE": "http://127.0.0.1:9"}
    result = run_doctor(env, "--config", str(config))
    assert result.returncode == 1
    line = lines_of(result.stdout)["aws sim"]
    assert line.startswith("✗") and "cannot reach DMS" in line
    assert "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE" in line


def test_webhook_down_fails(setup, receiver: HttpReceiver) -> None:
    """A webhook receiver that is not listening fails without printing the URL's secret path."""
    env, config = setup
    receiver.stop()
    result = run_doctor(env, "--config", str(config))
    assert result.returncode == 1
    line = lines_of(result.stdout)["webhook"]
    assert line.startswith("✗") and "cannot connect to http://127.0.0.1:" in line
    assert_no_secrets(result.stdout)


def test_a_broken_config_is_one_line_and_exit_2(setup, tmp_path: Path) -> None:
    """Like every command: an invalid config is one stderr line, exit 2, no traceback."""
    env, _ = setup
    broken = tmp_path / "broken.toml"
    broken.write_text('[schedule]\ncheck_every = "often"\n')
    result = run_doctor(env, "--config", str(broken))
    assert result.returncode == 2
    assert result.stderr.startswith("dms-bot: ") and len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


@pytest.fixture
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port if server._server else 0  # moto exposes no public port attribute
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_the_secret_is_checked_and_its_tokens_are_used(setup, moto_url: str) -> None:
    """DMS_BOT_SECRET_ID: a readable secret passes and fills the token; a missing one fails."""
    env, config = setup
    env = {**env, "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_url}
    client = boto3.client(
        "secretsmanager", endpoint_url=moto_url, region_name="eu-west-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    client.create_secret(Name="dms-bot", SecretString=json.dumps({"SLACK_BOT_TOKEN": BOT_TOKEN}))
    without_token = {k: v for k, v in env.items() if k != "SLACK_BOT_TOKEN"}
    good = run_doctor({**without_token, "DMS_BOT_SECRET_ID": "dms-bot"}, "--config", str(config))
    assert good.returncode == 0, good.stdout
    assert (
        lines_of(good.stdout)["secrets manager"]
        == "✓ secrets manager: secret 'dms-bot' readable (SLACK_BOT_TOKEN)"
    )
    bad = run_doctor({**env, "DMS_BOT_SECRET_ID": "nope"}, "--config", str(config))
    assert bad.returncode == 1
    line = lines_of(bad.stdout)["secrets manager"]
    assert "ResourceNotFoundException" in line and "secretsmanager:GetSecretValue" in line


def _stubbed_dms() -> tuple[Any, Stubber]:
    client = boto3.client(
        "dms", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    return client, Stubber(client)


def test_access_denied_names_the_actions_to_grant() -> None:
    """AccessDeniedFault on listing or on statistics says which dms: actions to grant, and to whom."""
    client, stub = _stubbed_dms()
    stub.add_client_error(
        "describe_replication_tasks", service_error_code="AccessDeniedFault", http_status_code=400
    )
    with stub:
        [check] = check_dms(client, Target(name="prod", role_arn="arn:aws:iam::123456789012:role/ro"))
    assert check.status is Status.FAIL and "AccessDeniedFault" in check.detail
    assert check.fix == GRANT_ALL + " to the role arn:aws:iam::123456789012:role/ro"

    client, stub = _stubbed_dms()
    task = {"ReplicationTaskIdentifier": "orders-cdc", "ReplicationTaskArn": "arn:aws:dms:eu-west-1:1:task:A"}
    stub.add_response("describe_replication_tasks", {"ReplicationTasks": [task]})
    stub.add_client_error(
        "describe_table_statistics", service_error_code="AccessDeniedFault", http_status_code=400
    )
    with stub:
        listing, stats = check_dms(client, Target(name="prod"))
    assert listing.status is Status.OK and "(1 tasks)" in listing.detail
    assert stats.status is Status.FAIL and stats.fix == GRANT_STATS + " to the bot's IAM identity"


def test_output_falls_back_to_ascii_and_masks_secrets() -> None:
    """On a terminal that cannot print ✓/✗ the marks are ok/FAIL; secret values are masked."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    settings = Settings(slack=SlackSettings(bot_token=Secret("xoxb-secret-in-a-message")))
    checks = [
        Check("store", Status.OK, "fine"),
        Check("slack token", Status.FAIL, "rejected xoxb-secret-in-a-message", "get a new one"),
    ]
    assert report(checks, settings, out) == 1
    out.seek(0)
    assert out.read().splitlines() == [
        "ok   store: fine",
        "FAIL slack token: rejected ******** -> get a new one",
        "1 of 2 checks failed",
    ]
