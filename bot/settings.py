"""The bot's settings as frozen values, and the names of every environment variable it reads.

Every default is written here (and in ``bot.core.models.Policy``) once. Loading (file + env +
Secrets Manager, with precedence and validation) lives in ``bot.config``, which derives the allowed
TOML keys from these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

from bot.core.models import Policy

# Environment variable names: the only place they are spelled.
ENV_CONFIG = "DMS_BOT_CONFIG"
ENV_CHANNEL = "DMS_BOT_CHANNEL"
ENV_WEBHOOK_URL = "DMS_BOT_WEBHOOK_URL"
ENV_WEBHOOK_SECRET = "DMS_BOT_WEBHOOK_SECRET"
ENV_SECRET_ID = "DMS_BOT_SECRET_ID"
ENV_DB = "DMS_BOT_DB"
ENV_HEARTBEAT_URL = "DMS_BOT_HEARTBEAT_URL"  # the dead-man's switch the leader pings after each sweep
ENV_LOG_FORMAT = "DMS_BOT_LOG_FORMAT"
ENV_SHUTDOWN_DEADLINE = "DMS_BOT_SHUTDOWN_DEADLINE"  # seconds `serve` gives a running sweep on SIGTERM
ENV_SLACK_BOT_TOKEN = "SLACK_BOT_TOKEN"
ENV_SLACK_APP_TOKEN = "SLACK_APP_TOKEN"
ENV_SLACK_SIGNING_SECRET = "SLACK_SIGNING_SECRET"
ENV_SLACK_API_URL = "SLACK_API_URL"
ENV_PORT = "PORT"  # the platform's (Heroku-style) port for HTTP mode
# boto3 reads AWS_DEFAULT_REGION itself; AWS_REGION (what Lambda, ECS and most SDKs set) is a fallback.
ENV_AWS_REGION = "AWS_REGION"

# Keys a Secrets Manager secret may fill (only when not already set).
SECRET_KEYS = (
    ENV_SLACK_BOT_TOKEN,
    ENV_SLACK_APP_TOKEN,
    ENV_SLACK_SIGNING_SECRET,
    ENV_SLACK_API_URL,
    ENV_CHANNEL,
    ENV_WEBHOOK_URL,
    ENV_WEBHOOK_SECRET,
    ENV_DB,
    ENV_HEARTBEAT_URL,
)

DEFAULT_CONFIG_FILE = "dms-bot.toml"
DEFAULT_DB = "dms-bot.sqlite3"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class Secret:
    """A value that must never be printed: ``repr``/``str`` mask it; ``reveal()`` returns it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class ApiBudget:
    """The bot's share of DMS's per-account, per-region token bucket (100 tokens, 4/s)."""

    rate: float = 2.0
    burst: int = 50


@dataclass(frozen=True, slots=True)
class DmsApiSettings:
    budget: ApiBudget = field(default_factory=ApiBudget)
    cache_ttl: float = 60.0
    max_attempts: int = 5  # botocore standard retry mode, total attempts
    connect_timeout: float = 5.0
    read_timeout: float = 20.0


@dataclass(frozen=True, slots=True)
class Target:
    """One AWS account + region to watch."""

    name: str = "default"
    region: str | None = None
    role_arn: str | None = None
    profile: str | None = None
    tasks: tuple[str, ...] = ()
    channel: str | None = None
    mention: str | None = None
    budget: ApiBudget | None = None  # overrides DmsApiSettings.budget for this target


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: Secret | None = None
    app_token: Secret | None = None
    signing_secret: Secret | None = None
    api_url: str = DEFAULT_SLACK_API_URL
    channel: str | None = None
    allowed_channels: tuple[str, ...] = ()
    allowed_users: tuple[str, ...] = ()  # user or usergroup IDs; empty = everyone
    operators: tuple[str, ...] = ()  # may revalidate (ReloadTables); empty = nobody


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: Secret | None = None  # URLs often carry tokens: treat as secret
    signing_secret: Secret | None = None
    timeout: float = 10.0
    retries: int = 3
    send: str = "always"  # "always" | "changes"


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    check_every: float = 900.0
    remind_every: float = 4 * 3600.0
    digest_at: time | None = None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class StoreSettings:
    path: str = DEFAULT_DB  # a SQLite file, or a postgresql:// URL (its password is a secret)
    retention_days: float = 30.0


DEFAULT_STATEMENT_TIMEOUT = 5.0
DEFAULT_ROW_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Read-only access to one DMS target database (a ``[[databases]]`` entry).

    Exactly one of ``url`` / ``secret_id``; ``password`` is what ``password_env`` named, read at load.
    """

    endpoint: str  # DMS target endpoint identifier or ARN
    url: Secret | None = None
    secret_id: str | None = None  # Secrets Manager, DMS's endpoint-secret shape
    password_env: str | None = None
    control_schema: str | None = None  # default: the engine's (public / awsdms_control)
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT
    row_limit: int = DEFAULT_ROW_LIMIT
    password: Secret | None = None


@dataclass(frozen=True, slots=True)
class FailuresSettings:
    """``[failures]``: how the bot finds target databases nobody configured."""

    use_endpoint_secrets: bool = False  # use an endpoint's own SecretsManagerSecretId


@dataclass(frozen=True, slots=True)
class HaSettings:
    """Several replicas on one PostgreSQL store: one leader sweeps and delivers (SQLite: always)."""

    leader_timeout: float = 30.0  # a frozen or cut-off leader is replaced within this


@dataclass(frozen=True, slots=True)
class HeartbeatSettings:
    """A dead-man's switch (healthchecks.io, Cronitor): the leader GETs ``url`` after each completed
    sweep and ``fail_url`` after one that could not run, so silence itself raises the alarm."""

    url: Secret | None = None  # ping URLs carry their check's token: treat as secret
    fail_url: Secret | None = None
    timeout: float = 5.0  # per ping; pings run beside the sweep, never delaying it


@dataclass(frozen=True, slots=True)
class CutoverSettings:
    """``[cutover]``: the readiness gate (``ready``, ``/dms ready``, the workflow step)."""

    max_lag: float = 5.0  # seconds CDCLatencySource and CDCLatencyTarget may reach ...
    steady: float = 300.0  # ... at every datapoint of this window (AWS's guidance: lag at zero)
    watch_for: float = 4 * 3600.0  # how long "tell me when ready" keeps watching
    checklist: tuple[str, ...] = ()  # what only people can check, repeated with every answer


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot needs to know, validated."""

    config_path: Path | None = None
    targets: tuple[Target, ...] = (Target(),)
    policy: Policy = field(default_factory=Policy)
    dms_api: DmsApiSettings = field(default_factory=DmsApiSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    ha: HaSettings = field(default_factory=HaSettings)
    heartbeat: HeartbeatSettings = field(default_factory=HeartbeatSettings)
    log_format: str = "text"  # "text" | "json"
    aws_region: str | None = None  # from AWS_REGION, when neither the target nor boto3 names one
    port: int | None = None  # from PORT: where `serve` listens when no --port is given
    # from DMS_BOT_SHUTDOWN_DEADLINE: seconds `serve` gives a running sweep on SIGTERM; platforms
    # send SIGKILL ~30 s after SIGTERM (Heroku, Kubernetes' default)
    shutdown_deadline: float = 20.0
    databases: tuple[DatabaseSettings, ...] = ()
    failures: FailuresSettings = field(default_factory=FailuresSettings)
    cutover: CutoverSettings = field(default_factory=CutoverSettings)

    def budget_for(self, target: Target) -> ApiBudget:
        return target.budget or self.dms_api.budget

    def channel_for(self, target: Target) -> str | None:
        return target.channel or self.slack.channel

    def secrets(self) -> list[str]:
        """Every secret value, so log filters and tests can check none leaks."""
        values = [
            self.slack.bot_token,
            self.slack.app_token,
            self.slack.signing_secret,
            self.webhook.url,
            self.webhook.signing_secret,
            self.heartbeat.url,
            self.heartbeat.fail_url,
        ]
        values += [v for db in self.databases for v in (db.url, db.password)]
        found = [v.reveal() for v in values if v]
        database_password = urlsplit(self.store.path).password if "://" in self.store.path else None
        return found + ([database_password] if database_password else [])
