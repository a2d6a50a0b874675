"""Load settings from the TOML file, the environment and an optional Secrets Manager secret.

Precedence: a flag, then the config file, then the environment, then the secret (which only fills
SLACK_* / DMS_BOT_* values nobody set), then defaults. Every problem becomes one ``ConfigError``
naming the file, the key and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import settings as s
from bot.core.durations import parse_duration
from bot.core.models import Policy, PolicyMode
from bot.errors import ConfigError

SecretLoader = Callable[[str], Mapping[str, str]]

_SECTIONS: dict[str, set[str]] = {
    "slack": {"channel", "allowed_channels", "allowed_users", "operators", "api_url"},
    "webhook": {"url", "timeout", "retries", "send"},
    "schedule": {"check_every", "remind_every", "digest_at", "timezone"},
    "policy": {"mode", "problem_table_cap", "stuck_after", "stale_after"},
    "dms_api": {"rate", "burst", "cache_ttl", "max_attempts", "connect_timeout", "read_timeout"},
    "store": {"path", "retention"},
    "logging": {"format"},
}
_TARGET_KEYS = {"name", "region", "role_arn", "profile", "tasks", "channel", "mention", "dms_api"}
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_MENTION_ID = re.compile(r"^[SUW][A-Z0-9]{2,}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


class _Reader:
    """Typed access to one TOML table, with errors that name the file and key."""

    def __init__(self, data: Mapping[str, Any], where: str, source: str) -> None:
        self.data, self.where, self.source = data, where, source

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where}{key}: {problem}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def string(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        if pattern and not pattern.match(value):
            raise self.fail(key, f"{value!r} is not {hint}")
        return value.strip()

    def strings(self, key: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        for v in value:
            if pattern and not pattern.match(v):
                raise self.fail(key, f"{v!r} is not {hint}")
        return tuple(v.strip() for v in value)

    def duration(self, key: str, default: float, *, minimum: float = 0.0) -> float:
        if key not in self.data:
            return default
        try:
            seconds = parse_duration(self.data[key])
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None
        if seconds < minimum:
            raise self.fail(key, f"must be at least {minimum:g}s, got {self.data[key]!r}")
        return seconds

    def number(self, key: str, default: float, *, minimum: float, maximum: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bounds = (
                f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
            )
            raise self.fail(key, f"must be {bounds}, got {value!r}")
        return float(value)

    def table(self, key: str) -> _Reader:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return _Reader(value, f"{self.where}{key}.", self.source)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, expected a TOML file") from None
    except PermissionError:
        raise ConfigError(f"{path}: permission denied") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (arrays or tables nested too deeply)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def config_path(flag: str | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: the flag, then ``DMS_BOT_CONFIG``, then ``./dms-bot.toml`` if present."""
    if flag:
        return Path(flag)
    if env.get(s.ENV_CONFIG):
        return Path(env[s.ENV_CONFIG])
    default = Path(s.DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str],
    secret_loader: SecretLoader | None = None,
) -> Settings:
    """Build validated :class:`Settings`. ``path`` overrides ``DMS_BOT_CONFIG``."""
    resolved = config_path(str(path) if path else None, env)
    data = read_toml(resolved) if resolved else {}
    merged_env = _with_secret(env, secret_loader)
    return _build(data, str(resolved or "environment"), resolved, merged_env)


def _with_secret(env: Mapping[str, str], loader: SecretLoader | None) -> dict[str, str]:
    merged = dict(env)
    secret_id = env.get(s.ENV_SECRET_ID)
    if secret_id and loader is not None:
        for key, value in loader(secret_id).items():
            if key in s.SECRET_KEYS and not merged.get(key):
                merged[key] = value
    return merged


def _secret(value: str | None) -> s.Secret | None:
    return s.Secret(value) if value else None


def _build(data: dict[str, Any], source: str, path: Path | None, env: Mapping[str, str]) -> s.Settings:
    root = _Reader(data, "", source)
    root.check_keys(set(_SECTIONS) | {"targets", "databases", "failures"})
    for name, keys in _SECTIONS.items():
        root.table(name).check_keys(keys)
    dms_api = _dms_api(root.table("dms_api"))
    return s.Settings(
        config_path=path,
        targets=_targets(root, dms_api.budget),
        policy=_policy(root.table("policy")),
        dms_api=dms_api,
        slack=_slack(root.table("slack"), env),
        webhook=_webhook(root.table("webhook"), env),
        schedule=_schedule(root.table("schedule")),
        store=_store(root.table("store"), env),
        log_format=_log_format(root.table("logging"), env),
        aws_region=env.get(s.ENV_AWS_REGION) or None,
        **_row_level_failures(root, env),
    )


def _policy(r: _Reader) -> Policy:
    mode = r.get("mode") or "default"
    if not isinstance(mode, str) or mode not in {m.value for m in PolicyMode}:
        raise r.fail("mode", f"expected 'default' or 'strict', got {mode!r}")
    cap = int(r.number("problem_table_cap", 50, minimum=1, maximum=10_000))
    return Policy(
        mode=PolicyMode(mode),
        problem_table_cap=cap,
        stuck_after=r.duration("stuck_after", 2 * 3600.0, minimum=60),
        stale_after=r.duration("stale_after", 3600.0, minimum=60),
    )


def _budget(r: _Reader, default: s.ApiBudget) -> s.ApiBudget:
    rate = r.number("rate", default.rate, minimum=0.01, maximum=10_000)
    burst = int(r.number("burst", default.burst, minimum=1, maximum=100_000))
    return s.ApiBudget(rate=rate, burst=burst)


def _dms_api(r: _Reader) -> s.DmsApiSettings:
    return s.DmsApiSettings(
        budget=_budget(r, s.ApiBudget()),
        cache_ttl=r.duration("cache_ttl", 60.0),
        max_attempts=int(r.number("max_attempts", 5, minimum=1, maximum=20)),
        connect_timeout=r.number("connect_timeout", 5.0, minimum=0.1, maximum=300),
        read_timeout=r.number("read_timeout", 20.0, minimum=0.1, maximum=600),
    )


def _targets(root: _Reader, default_budget: s.ApiBudget) -> tuple[s.Target, ...]:
    raw = root.get("targets")
    if raw is None:
        return (s.Target(),)
    if not isinstance(raw, list) or not raw:
        raise root.fail("targets", "expected one or more [[targets]] tables")
    targets: list[s.Target] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise root.fail(f"targets[{index}]", "expected a table")
        targets.append(_target(_Reader(item, f"targets[{index}].", root.source), index, default_budget))
    names = [t.name for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise root.fail("targets", f"duplicate target name {duplicates[0]!r}")
    return tuple(targets)


def _target(r: _Reader, index: int, default_budget: s.ApiBudget) -> s.Target:
    r.check_keys(_TARGET_KEYS)
    budget_table = r.table("dms_api")
    budget_table.check_keys({"rate", "burst"})
    return s.Target(
        name=r.string("name") or f"target-{index + 1}",
        region=r.string("region", _REGION, "an AWS region such as 'eu-west-1'"),
        role_arn=r.string("role_arn", _ROLE_ARN, "an IAM role ARN"),
        profile=r.string("profile"),
        tasks=r.strings("tasks"),
        channel=r.string("channel", _CHANNEL_ID, "a Slack channel ID such as 'C0123456789'"),
        mention=r.string("mention", _MENTION_ID, "a Slack user group or user ID such as 'S0123ABC'"),
        budget=_budget(budget_table, default_budget) if budget_table.data else None,
    )


def _slack(r: _Reader, env: Mapping[str, str]) -> s.SlackSettings:
    ids = re.compile(r"^[A-Z][A-Z0-9]{2,}$")
    channel = r.string("channel", _CHANNEL_ID, "a Slack channel ID such as 'C0123456789'") or env.get(
        s.ENV_CHANNEL
    )
    if channel and not _CHANNEL_ID.match(channel):
        raise ConfigError(f"{s.ENV_CHANNEL}: {channel!r} is not a Slack channel ID such as 'C0123456789'")
    api_url = r.string("api_url") or env.get(s.ENV_SLACK_API_URL) or s.DEFAULT_SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"{s.ENV_SLACK_API_URL}: expected an http(s) URL, got {api_url!r}")
    return s.SlackSettings(
        bot_token=_secret(env.get(s.ENV_SLACK_BOT_TOKEN)),
        app_token=_secret(env.get(s.ENV_SLACK_APP_TOKEN)),
        signing_secret=_secret(env.get(s.ENV_SLACK_SIGNING_SECRET)),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        channel=channel,
        allowed_channels=r.strings("allowed_channels", _CHANNEL_ID, "a Slack channel ID"),
        allowed_users=r.strings("allowed_users", ids, "a Slack user or user group ID"),
        operators=r.strings("operators", ids, "a Slack user or user group ID"),
    )


def _webhook(r: _Reader, env: Mapping[str, str]) -> s.WebhookSettings:
    url = r.string("url") or env.get(s.ENV_WEBHOOK_URL) or None
    if url and not url.startswith(("http://", "https://")):
        where = "webhook.url" if r.get("url") else s.ENV_WEBHOOK_URL
        raise ConfigError(f"{r.source}: {where}: expected an http(s) URL")
    send = r.get("send") or "always"
    if send not in ("always", "changes"):
        raise r.fail("send", f"expected 'always' or 'changes', got {send!r}")
    return s.WebhookSettings(
        url=_secret(url),
        signing_secret=_secret(env.get(s.ENV_WEBHOOK_SECRET)),
        timeout=r.duration("timeout", 10.0, minimum=0.1),
        retries=int(r.number("retries", 3, minimum=0, maximum=10)),
        send=send,
    )


def _schedule(r: _Reader) -> s.ScheduleSettings:
    tz = r.string("timezone") or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail(
            "timezone", f"unknown time zone {tz!r} (use an IANA name such as 'Europe/Paris')"
        ) from None
    digest_at = None
    if r.get("digest_at") is not None:
        digest_at = _clock_time(r, "digest_at")
    return s.ScheduleSettings(
        check_every=r.duration("check_every", 900.0, minimum=10),
        remind_every=r.duration("remind_every", 4 * 3600.0, minimum=60),
        digest_at=digest_at,
        timezone=tz,
    )


def _clock_time(r: _Reader, key: str) -> time:
    value = r.get(key)
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    raise r.fail(key, f"expected a time of day like '09:00', got {value!r}")


def _store(r: _Reader, env: Mapping[str, str]) -> s.StoreSettings:
    path = r.string("path") or env.get(s.ENV_DB) or s.DEFAULT_DB
    return s.StoreSettings(path=Path(path), retention_days=r.duration("retention", 30 * 86400.0) / 86400)


def _log_format(r: _Reader, env: Mapping[str, str]) -> str:
    value = r.get("format") or env.get(s.ENV_LOG_FORMAT) or "text"
    if value not in ("text", "json"):
        raise r.fail("format", f"expected 'text' or 'json', got {value!r}")
    return str(value)


# --- [[databases]] and [failures]: row-level validation failures on DMS target databases ---------
_DATABASE_KEYS = {
    "endpoint",
    "url",
    "secret_id",
    "password_env",
    "control_schema",
    "statement_timeout",
    "row_limit",
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _row_level_failures(root: _Reader, env: Mapping[str, str]) -> dict[str, Any]:
    """``databases`` and ``failures`` for :class:`Settings`, from ``[[databases]]`` and ``[failures]``."""
    failures = root.table("failures")
    failures.check_keys({"use_endpoint_secrets"})
    use_secrets = failures.get("use_endpoint_secrets")
    if use_secrets is not None and not isinstance(use_secrets, bool):
        raise failures.fail("use_endpoint_secrets", f"expected true or false, got {use_secrets!r}")
    raw = root.get("databases")
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise root.fail("databases", "expected one or more [[databases]] tables")
    databases: list[s.DatabaseSettings] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise root.fail(f"databases[{index}]", "expected a table")
        databases.append(_database(_Reader(item, f"databases[{index}].", root.source), env))
    endpoints = [d.endpoint for d in databases]
    duplicates = sorted({e for e in endpoints if endpoints.count(e) > 1})
    if duplicates:
        raise root.fail("databases", f"endpoint {duplicates[0]!r} is configured twice")
    return {
        "databases": tuple(databases),
        "failures": s.FailuresSettings(use_endpoint_secrets=bool(use_secrets)),
    }


def _database(r: _Reader, env: Mapping[str, str]) -> s.DatabaseSettings:
    r.check_keys(_DATABASE_KEYS)
    endpoint = r.string("endpoint")
    if endpoint is None:
        raise r.fail("endpoint", "required: the DMS target endpoint's identifier or ARN")
    url, secret_id = r.get("url"), r.string("secret_id")
    if (url is None) == (secret_id is None):
        raise r.fail("url", "give exactly one of url or secret_id")
    password_env = r.string("password_env", _ENV_NAME, "an environment variable name")
    url_password = _database_url(r) if url is not None else None
    password = None
    if password_env:
        if url_password:
            raise r.fail("password_env", "the url already holds a password: give it in one place")
        if not env.get(password_env):
            raise r.fail("password_env", f"environment variable {password_env} is not set")
        password = env[password_env]
    return s.DatabaseSettings(
        endpoint=endpoint,
        url=_secret(url),
        secret_id=secret_id,
        password_env=password_env,
        control_schema=r.string("control_schema"),
        statement_timeout=r.duration("statement_timeout", s.DEFAULT_STATEMENT_TIMEOUT, minimum=0.1),
        row_limit=int(r.number("row_limit", s.DEFAULT_ROW_LIMIT, minimum=1, maximum=100_000)),
        password=_secret(password or url_password),
    )


def _database_url(r: _Reader) -> str | None:
    """Check the URL's scheme and shape without quoting it (it may hold a password); its password."""
    from bot.targets.engines import parse_url  # SQLAlchemy is imported only when databases are set

    value = r.get("url")
    if not isinstance(value, str) or not value.strip():
        raise r.fail("url", "expected a non-empty string")
    try:
        url = parse_url(value.strip())
    except ValueError as exc:
        raise r.fail("url", str(exc)) from None
    return url.password if isinstance(url.password, str) else None


Settings = s.Settings
