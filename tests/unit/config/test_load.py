"""Settings: file + env + secret precedence, and one clear error for every broken value."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest

from bot.config import keys, load_settings
from bot.core.models import Policy, PolicyMode
from bot.errors import ConfigError
from bot.settings import ApiBudget, Secret, Settings

FULL = """
[slack]
channel = "C0123456789"
allowed_users = ["U111", "S222"]
operators = ["S222"]
[webhook]
url = "https://ops.example.com/hooks/dms"
send = "changes"
[schedule]
check_every = "15m"
digest_at = "09:00"
timezone = "Europe/Paris"
[policy]
mode = "strict"
stuck_after = "3h"
cdc_latency_warning = "5m"
cdc_latency_failure = "off"
[[targets]]
name = "prod-eu"
region = "eu-west-1"
role_arn = "arn:aws:iam::123456789012:role/dms-readonly"
tasks = ["orders-cdc", "billing-*"]
channel = "C0987654321"
mention = "S0123ABC"
dms_api = { rate = 1.0 }
[[targets]]
name = "prod-us"
region = "us-east-1"
[dms_api]
rate = 2.0
burst = 50
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dms-bot.toml"
    path.write_text(text)
    return path


def test_full_config_is_read(tmp_path: Path) -> None:
    """Every documented key lands in the settings with its type."""
    s = load_settings(write(tmp_path, FULL), env={})
    assert s.slack.channel == "C0123456789"
    assert s.policy.mode is PolicyMode.STRICT
    assert s.schedule.check_every == 900
    assert s.schedule.digest_at == time(9, 0)
    assert s.policy.stuck_after == 3 * 3600
    assert (s.policy.cdc_latency_warning, s.policy.cdc_latency_failure) == (300, None)
    assert [t.name for t in s.targets] == ["prod-eu", "prod-us"]
    eu, us = s.targets
    assert eu.tasks == ("orders-cdc", "billing-*")
    assert s.budget_for(eu) == ApiBudget(rate=1.0, burst=50)
    assert s.budget_for(us) == ApiBudget(rate=2.0, burst=50)
    assert s.channel_for(eu) == "C0987654321"
    assert s.channel_for(us) == "C0123456789"
    assert s.webhook.send == "changes"


def test_no_config_file_watches_every_task_in_the_default_region(tmp_path: Path, monkeypatch) -> None:
    """With no file at all, one target, all tasks, default region."""
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, env={})
    assert len(s.targets) == 1
    assert s.targets[0].tasks == ()
    assert s.targets[0].region is None


def test_file_beats_env_and_env_fills_the_rest(tmp_path: Path) -> None:
    """An explicit config value wins over the environment; env fills what the file leaves out."""
    env = {"DMS_BOT_CHANNEL": "C9999999999", "DMS_BOT_WEBHOOK_URL": "https://env.example.com/h"}
    s = load_settings(write(tmp_path, '[slack]\nchannel = "C0123456789"\n'), env=env)
    assert s.slack.channel == "C0123456789"
    assert s.webhook.url == Secret("https://env.example.com/h")


def test_secret_fills_only_unset_values(tmp_path: Path) -> None:
    """The Secrets Manager secret fills SLACK_*/DMS_BOT_* values nobody set, and nothing else."""
    env = {"DMS_BOT_SECRET_ID": "dms-bot/prod", "SLACK_BOT_TOKEN": "xoxb-from-env"}
    secret = {"SLACK_BOT_TOKEN": "xoxb-from-secret", "SLACK_SIGNING_SECRET": "shh", "PATH": "/evil"}
    s = load_settings(None, env=env, secret_loader=lambda sid: secret if sid == "dms-bot/prod" else {})
    assert s.slack.bot_token == Secret("xoxb-from-env")
    assert s.slack.signing_secret == Secret("shh")


def test_secrets_are_masked_in_repr() -> None:
    """A token never shows up when settings are printed or logged."""
    s = load_settings(None, env={"SLACK_BOT_TOKEN": "xoxb-very-secret", "DMS_BOT_CONFIG": ""})
    assert "xoxb-very-secret" not in repr(s)
    assert "xoxb-very-secret" in s.secrets()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[slack\nchannel=1", "not valid TOML"),
        ('[slack]\nchanel = "C0123456789"', "slack.chanel: unknown key"),
        ('[slack]\nchannel = "#general"', "slack.channel: '#general' is not a Slack channel ID"),
        ('[schedule]\ncheck_every = "often"', "schedule.check_every: expected a duration"),
        ('[schedule]\ncheck_every = "1s"', "schedule.check_every: must be at least 10s"),
        ('[schedule]\ntimezone = "Mars/Olympus"', "schedule.timezone: unknown time zone"),
        ('[schedule]\ndigest_at = "25:00"', "schedule.digest_at: expected a time of day"),
        ('[policy]\nmode = "lenient"', "policy.mode: expected 'default' or 'strict'"),
        ("[dms_api]\nrate = -1", "dms_api.rate: must be between"),
        ('[dms_api]\nrate = "fast"', "dms_api.rate: expected a number"),
        ('[[targets]]\nregion = "Europe"', "targets[0].region: 'Europe' is not an AWS region"),
        ('[[targets]]\nrole_arn = "admin"', "targets[0].role_arn: 'admin' is not an IAM role ARN"),
        ("[[targets]]\ntasks = 'orders'", "targets[0].tasks: expected a list of strings"),
        ('[[targets]]\nname = "a"\n[[targets]]\nname = "a"', "duplicate target name 'a'"),
        ('[webhook]\nurl = "ftp://x"', "webhook.url: expected an http(s) URL"),
        ('[webhook]\nsend = "sometimes"', "webhook.send: expected 'always' or 'changes'"),
        ('[heartbeat]\nurl = "hc-ping.com/x"', "heartbeat.url: expected an http(s) URL"),
        ('[heartbeat]\nfail_url = "ftp://x/fail"', "heartbeat.fail_url: expected an http(s) URL"),
        ('[heartbeat]\ntimeout = "0s"', "heartbeat.timeout: must be at least 0.1s"),
        ('[heartbeat]\nurl = "https://hc-ping.com/x"\nmethod = "POST"', "heartbeat.method: unknown key"),
        ('[cutover]\nmax_lag = "soon"', "cutover.max_lag: expected a duration"),
        ('[cutover]\nsteady = "30s"', "cutover.steady: must be at least 60s"),
        ('[cutover]\nchecklist = "Sequences"', "cutover.checklist: expected a list of strings"),
        ('[cutover]\nwatch = "4h"', "cutover.watch: unknown key"),
        ("targets = 3", "targets: expected one or more [[targets]] tables"),
        ("[nonsense]\na = 1", "nonsense: unknown key"),
    ],
)
def test_broken_config_names_file_key_and_problem(tmp_path: Path, text: str, message: str) -> None:
    """Each broken value gives one ConfigError naming the file, the key and what is wrong."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    """An explicit path that does not exist is an error, not a silent default."""
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_env_config_path_is_used(tmp_path: Path) -> None:
    """DMS_BOT_CONFIG points at the file when no flag is given."""
    path = write(tmp_path, '[policy]\nmode = "strict"\n')
    assert load_settings(None, env={"DMS_BOT_CONFIG": str(path)}).policy.mode is PolicyMode.STRICT


def test_bad_env_channel_is_rejected() -> None:
    """A malformed DMS_BOT_CHANNEL is named in the error."""
    with pytest.raises(ConfigError, match="DMS_BOT_CHANNEL"):
        load_settings(None, env={"DMS_BOT_CHANNEL": "general", "DMS_BOT_CONFIG": ""})


def test_a_file_with_no_keys_gives_exactly_the_dataclass_defaults(tmp_path: Path) -> None:
    """Every default comes from Settings (and Policy): an empty file, or empty sections, change nothing."""
    empty = write(tmp_path, "")
    assert load_settings(empty, env={}) == replace(Settings(), config_path=empty)
    sections = write(tmp_path, "".join(f"[{name}]\n" for name in keys.SECTIONS))
    assert load_settings(sections, env={}) == replace(Settings(), config_path=sections)


def test_policy_defaults_are_what_a_user_without_config_gets(tmp_path: Path) -> None:
    """Stuck validation after 2h, CDC lag a warning over 10m and a failure over 1h, unless the file
    says otherwise."""
    policy = load_settings(write(tmp_path, ""), env={}).policy
    assert (
        (policy.stuck_after, policy.cdc_latency_warning, policy.cdc_latency_failure)
        == (2 * 3600, 600, 3600)
        == (Policy().stuck_after, Policy().cdc_latency_warning, Policy().cdc_latency_failure)
    )


def test_stale_after_is_accepted_and_ignored(tmp_path: Path) -> None:
    """Old configs keep loading: the LastUpdateTime rule is gone, its key is checked and ignored."""
    policy = load_settings(write(tmp_path, '[policy]\nstale_after = "3h"\n'), env={}).policy
    assert policy == Policy()
    with pytest.raises(ConfigError, match="stale_after"):
        load_settings(write(tmp_path, '[policy]\nstale_after = "soon"\n'), env={})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [('"off"', None), ('"OFF"', None), ('"20m"', 1200.0), ("90", 90.0)],
)
def test_cdc_latency_thresholds_take_durations_or_off(
    tmp_path: Path, raw: str, expected: float | None
) -> None:
    text = f"[policy]\ncdc_latency_warning = {raw}\ncdc_latency_failure = {raw}\n"
    policy = load_settings(write(tmp_path, text), env={}).policy
    assert (policy.cdc_latency_warning, policy.cdc_latency_failure) == (expected, expected)


def test_cdc_latency_threshold_rejects_nonsense(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cdc_latency_failure"):
        load_settings(write(tmp_path, '[policy]\ncdc_latency_failure = "never"\n'), env={})


@pytest.mark.parametrize(("raw", "port"), [(None, None), ("", None), ("8080", 8080), (" 3000 ", 3000)])
def test_port_comes_from_the_environment(raw: str | None, port: int | None) -> None:
    """PORT (the platform's port for serve) lands in Settings.port; unset or empty means none."""
    env = {"DMS_BOT_CONFIG": ""} | ({} if raw is None else {"PORT": raw})
    assert load_settings(None, env=env).port == port


def test_a_port_that_is_not_a_number_is_a_config_error() -> None:
    """The message names PORT and the value, as serve's did."""
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env={"DMS_BOT_CONFIG": "", "PORT": "http"})
    assert str(caught.value) == "PORT: expected a port number, got 'http'"


DEFAULT_DEADLINE = Settings().shutdown_deadline


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(None, DEFAULT_DEADLINE), ("", DEFAULT_DEADLINE), ("7.5", 7.5), ("0", 0.0), ("soon", DEFAULT_DEADLINE),
     ("-3", DEFAULT_DEADLINE), ("inf", DEFAULT_DEADLINE), ("nan", DEFAULT_DEADLINE)],
)  # fmt: skip
def test_shutdown_deadline_comes_from_the_environment(raw: str | None, seconds: float) -> None:
    """DMS_BOT_SHUTDOWN_DEADLINE in seconds; anything that is not a finite number >= 0 means 20 s."""
    env = {"DMS_BOT_CONFIG": ""} | ({} if raw is None else {"DMS_BOT_SHUTDOWN_DEADLINE": raw})
    assert load_settings(None, env=env).shutdown_deadline == seconds
    assert DEFAULT_DEADLINE == 20


def test_a_bad_shutdown_deadline_is_a_warning_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    """Stopping must still work: the bad value is named in one warning and the default is used."""
    with caplog.at_level(logging.WARNING):
        settings = load_settings(None, env={"DMS_BOT_CONFIG": "", "DMS_BOT_SHUTDOWN_DEADLINE": "soon"})
    assert settings.shutdown_deadline == DEFAULT_DEADLINE
    assert [r.getMessage() for r in caplog.records] == [
        "DMS_BOT_SHUTDOWN_DEADLINE='soon' is not a number of seconds; using 20s"
    ]


def test_a_postgresql_url_in_the_secret_becomes_the_store_and_its_password_a_secret(tmp_path: Path) -> None:
    """DMS_BOT_DB from the secret: kept as the URL it is (not a Path), password known to log filters."""
    url = "postgresql://dms_bot:pg-pa55@db.internal:5432/dms_bot"
    env = {"DMS_BOT_SECRET_ID": "dms-bot/prod"}
    s = load_settings(None, env=env, secret_loader=lambda _sid: {"DMS_BOT_DB": url})
    assert s.store.path == url
    assert "pg-pa55" in s.secrets()
    assert load_settings(None, env={"DMS_BOT_DB": "/var/lib/dms-bot/bot.sqlite3"}).store.path == (
        "/var/lib/dms-bot/bot.sqlite3"
    )
    assert load_settings(None, env={}).secrets() == []


def test_ha_leader_timeout_defaults_to_30s_and_takes_a_duration(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, ""), env={}).ha.leader_timeout == 30.0
    assert load_settings(write(tmp_path, '[ha]\nleader_timeout = "3s"\n'), env={}).ha.leader_timeout == 3.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('"1s"', "ha.leader_timeout: must be at least 2s"),
        ('"soon"', "ha.leader_timeout: expected a duration"),
    ],
)
def test_ha_leader_timeout_rejects_nonsense(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, f"[ha]\nleader_timeout = {raw}\n"), env={})


def test_heartbeat_urls_come_from_the_file_or_the_environment_and_are_secrets(tmp_path: Path) -> None:
    ping = "https://hc-ping.com/5bd3e1a4-uuid"
    text = f'[heartbeat]\nfail_url = "{ping}/fail"\ntimeout = "2s"\n'
    s = load_settings(write(tmp_path, text), env={"DMS_BOT_HEARTBEAT_URL": ping})
    assert (s.heartbeat.url, s.heartbeat.fail_url, s.heartbeat.timeout) == (
        Secret(ping),
        Secret(f"{ping}/fail"),
        2.0,
    )
    assert ping not in repr(s) and {ping, f"{ping}/fail"} <= set(s.secrets())
    assert load_settings(None, env={}).heartbeat.url is None


def test_a_heartbeat_url_in_the_secret_fills_the_environment_name() -> None:
    env = {"DMS_BOT_SECRET_ID": "dms-bot/prod"}
    s = load_settings(
        None, env=env, secret_loader=lambda _: {"DMS_BOT_HEARTBEAT_URL": "https://hc-ping.com/u"}
    )
    assert s.heartbeat.url == Secret("https://hc-ping.com/u")


def test_a_bad_heartbeat_url_in_the_environment_is_named_by_its_variable_and_not_shown() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env={"DMS_BOT_HEARTBEAT_URL": "hc-ping.com/secret-uuid"})
    assert str(caught.value) == "DMS_BOT_HEARTBEAT_URL: expected an http(s) URL"


def test_cutover_is_read_with_the_dataclass_defaults_for_what_it_leaves_out(tmp_path: Path) -> None:
    text = '[cutover]\nmax_lag = "0s"\nchecklist = ["Sequences reset on the target"]\n'
    cutover = load_settings(write(tmp_path, text), env={}).cutover
    assert (cutover.max_lag, cutover.steady, cutover.watch_for) == (0.0, 300.0, 14400.0)
    assert cutover.checklist == ("Sequences reset on the target",)
