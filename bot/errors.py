"""The bot's own exceptions. Adapters map third-party errors (botocore, requests, slack_sdk) to
these at the edge, so callers handle a small, known set and messages never carry secrets."""

from __future__ import annotations


class BotError(Exception):
    """Base class: ``str(error)`` is a short message fit for a user."""


class ConfigError(BotError):
    """The configuration (file, env or flags) is missing or invalid."""


class DmsError(BotError):
    """A DMS call failed. ``code`` is the AWS error code when there is one."""

    code: str = "DmsError"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class TaskNotFound(DmsError):
    code = "ResourceNotFoundFault"


class InvalidTaskState(DmsError):
    code = "InvalidResourceStateFault"


class DmsAccessDenied(DmsError):
    code = "AccessDeniedFault"


# AWS error codes that mean "slow down": the bot says DMS is throttling, never that a task is bad.
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"}
)


class DmsThrottled(DmsError):
    code = "ThrottlingException"


class DmsUnavailable(DmsError):
    """Could not reach DMS at all (endpoint down, timeouts, 5xx after retries)."""

    code = "Unavailable"


class CredentialsError(DmsError):
    """No usable AWS credentials, or AssumeRole failed."""

    code = "CredentialsError"


class CloudWatchError(BotError):
    """CloudWatch could not be read (AccessDenied, unreachable, throttled after retries, a bad
    answer): one line for the target; the lag is unknown, never zero. ``code`` is AWS's error code
    when there is one, else a short kind (``Unavailable``, ``MalformedResponse``)."""

    def __init__(self, message: str, *, code: str = "CloudWatchError") -> None:
        super().__init__(message)
        self.code = code


class SecretsError(BotError):
    """The Secrets Manager secret could not be read or is not a JSON object."""


class WebhookError(BotError):
    """The HTTP API notification could not be delivered. ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class SlackError(BotError):
    """A Slack Web API call failed. ``code`` is Slack's error string."""

    def __init__(self, message: str, *, code: str = "slack_error", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class StoreError(BotError):
    """The local SQLite store is unusable (locked, read-only, full disk)."""


class TargetDbError(BotError):
    """A DMS target database could not be read for row-level failures; never carries a password.

    ``kind`` says which way it failed, for callers that word or count it differently:
    ``not_configured``, ``unsupported``, ``auth``, ``permission``, ``unreachable``, ``timeout``,
    ``missing_table``, ``no_database``, ``error``.
    """

    def __init__(self, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class Fenced(StoreError):
    """A write refused because the caller's leader epoch is no longer the current one: another
    replica has become the leader since, so nothing of this transaction is written or sent."""
