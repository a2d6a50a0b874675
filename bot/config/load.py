"""Load settings from the TOML file, the environment and an optional Secrets Manager secret.

Precedence: a flag, then the config file, then the environment, then the secret (which only fills
SLACK_* / DMS_BOT_* values nobody set), then the settings dataclasses' defaults. Every problem
becomes one ``ConfigError`` naming the file, the key and what is wrong.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot import settings as s
from bot.config import databases, keys, sections
from bot.config.reader import TableReader, read_toml
from bot.errors import ConfigError

SecretLoader = Callable[[str], Mapping[str, str]]

log = logging.getLogger("bot.config")
_DEFAULTS = s.Settings()
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{2,}$")


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
) -> s.Settings:
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
    root = TableReader(data, "", source)
    root.check_keys(keys.TOP_LEVEL)
    for name, allowed in keys.SECTIONS.items():
        root.table(name).check_keys(allowed)
    dms_api = sections.dms_api(root.table("dms_api"))
    return s.Settings(
        config_path=path,
        targets=sections.targets(root, dms_api.budget),
        policy=sections.policy(root.table("policy")),
        dms_api=dms_api,
        slack=_slack(root.table("slack"), env),
        webhook=_webhook(root.table("webhook"), env),
        schedule=sections.schedule(root.table("schedule")),
        store=_store(root.table("store"), env),
        ha=sections.ha(root.table("ha")),
        heartbeat=_heartbeat(root.table("heartbeat"), env),
        cutover=sections.cutover(root.table("cutover")),
        log_format=_log_format(root.table("logging"), env),
        aws_region=env.get(s.ENV_AWS_REGION) or _DEFAULTS.aws_region,
        port=_port(env),
        shutdown_deadline=_shutdown_deadline(env),
        **databases.row_level_failures(root, env),
    )


def _slack(r: TableReader, env: Mapping[str, str]) -> s.SlackSettings:
    channel_id = sections.CHANNEL_ID
    channel = r.string("channel", channel_id, "a Slack channel ID such as 'C0123456789'") or env.get(
        s.ENV_CHANNEL
    )
    if channel and not channel_id.match(channel):
        raise ConfigError(f"{s.ENV_CHANNEL}: {channel!r} is not a Slack channel ID such as 'C0123456789'")
    api_url = r.string("api_url") or env.get(s.ENV_SLACK_API_URL) or _DEFAULTS.slack.api_url
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"{s.ENV_SLACK_API_URL}: expected an http(s) URL, got {api_url!r}")
    return s.SlackSettings(
        bot_token=_secret(env.get(s.ENV_SLACK_BOT_TOKEN)),
        app_token=_secret(env.get(s.ENV_SLACK_APP_TOKEN)),
        signing_secret=_secret(env.get(s.ENV_SLACK_SIGNING_SECRET)),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        channel=channel,
        allowed_channels=r.strings("allowed_channels", channel_id, "a Slack channel ID"),
        allowed_users=r.strings("allowed_users", _SLACK_ID, "a Slack user or user group ID"),
        operators=r.strings("operators", _SLACK_ID, "a Slack user or user group ID"),
    )


def _webhook(r: TableReader, env: Mapping[str, str]) -> s.WebhookSettings:
    default = _DEFAULTS.webhook
    url = r.string("url") or env.get(s.ENV_WEBHOOK_URL) or None
    if url and not url.startswith(("http://", "https://")):
        where = "webhook.url" if r.get("url") else s.ENV_WEBHOOK_URL
        raise ConfigError(f"{r.source}: {where}: expected an http(s) URL")
    send = r.get("send") or default.send
    if send not in ("always", "changes"):
        raise r.fail("send", f"expected 'always' or 'changes', got {send!r}")
    return s.WebhookSettings(
        url=_secret(url),
        signing_secret=_secret(env.get(s.ENV_WEBHOOK_SECRET)),
        timeout=r.duration("timeout", default.timeout, minimum=0.1),
        retries=int(r.number("retries", default.retries, minimum=0, maximum=10)),
        send=send,
    )


def _url(r: TableReader, key: str, value: str | None, env_name: str | None = None) -> s.Secret | None:
    """An http(s) URL, kept secret (such URLs carry tokens); the error names the key, never the URL."""
    if value and not value.startswith(("http://", "https://")):
        if r.get(key) or env_name is None:
            raise r.fail(key, "expected an http(s) URL")
        raise ConfigError(f"{env_name}: expected an http(s) URL")
    return _secret(value)


def _heartbeat(r: TableReader, env: Mapping[str, str]) -> s.HeartbeatSettings:
    url = r.string("url") or env.get(s.ENV_HEARTBEAT_URL) or None
    return s.HeartbeatSettings(
        url=_url(r, "url", url, s.ENV_HEARTBEAT_URL),
        fail_url=_url(r, "fail_url", r.string("fail_url") or None),
        timeout=r.duration("timeout", _DEFAULTS.heartbeat.timeout, minimum=0.1),
    )


def _store(r: TableReader, env: Mapping[str, str]) -> s.StoreSettings:
    default = _DEFAULTS.store
    path = r.string("path") or env.get(s.ENV_DB) or default.path
    retention = r.duration("retention", default.retention_days * 86400)
    return s.StoreSettings(path=path, retention_days=retention / 86400)


def _log_format(r: TableReader, env: Mapping[str, str]) -> str:
    value = r.get("format") or env.get(s.ENV_LOG_FORMAT) or _DEFAULTS.log_format
    if value not in ("text", "json"):
        raise r.fail("format", f"expected 'text' or 'json', got {value!r}")
    return str(value)


def _port(env: Mapping[str, str]) -> int | None:
    """``PORT``, the platform's port for ``serve`` (its ``--port`` flag wins over it)."""
    raw = env.get(s.ENV_PORT)
    if not raw:
        return _DEFAULTS.port
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{s.ENV_PORT}: expected a port number, got {raw!r}") from None


def _shutdown_deadline(env: Mapping[str, str]) -> float:
    """``DMS_BOT_SHUTDOWN_DEADLINE``: anything not a finite number >= 0 is warned about, not fatal."""
    default = _DEFAULTS.shutdown_deadline
    raw = env.get(s.ENV_SHUTDOWN_DEADLINE)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        log.warning("%s=%r is not a number of seconds; using %gs", s.ENV_SHUTDOWN_DEADLINE, raw, default)
        return default
    return value
