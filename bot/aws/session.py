"""boto3 sessions per target: the standard credential chain, an optional profile, and an optional
AssumeRole whose credentials botocore refreshes by itself before they expire."""

from __future__ import annotations

import re
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials

from bot import __version__
from bot.settings import DmsApiSettings, Target

USER_AGENT = f"dms-validation-bot/{__version__}"
_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")


def client_config(api: DmsApiSettings, *, pool: int = 10) -> Config:
    """botocore's own standard retry mode (throttling + 5xx + connection errors, with backoff)."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": api.max_attempts},
        connect_timeout=api.connect_timeout,
        read_timeout=api.read_timeout,
        max_pool_connections=max(pool, 2),
        user_agent_extra=USER_AGENT,
    )


def budget_account(target: Target) -> str:
    """Best key for "the same AWS account" without an API call: the role's account, else the profile."""
    if target.role_arn:
        match = _ROLE_ACCOUNT.match(target.role_arn)
        if match:
            return match.group(1)
    return f"profile:{target.profile or 'default'}"


def make_session(target: Target, *, base: boto3.Session | None = None) -> boto3.Session:
    """A session for ``target``; with ``role_arn``, credentials come from STS AssumeRole."""
    source = base or boto3.Session(profile_name=target.profile, region_name=target.region)
    if not target.role_arn:
        return source
    core = botocore.session.Session()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=_client_creator(source),
        source_credentials=source.get_credentials(),
        role_arn=target.role_arn,
        extra_args={"RoleSessionName": "dms-validation-bot"},
    )
    # Refreshed by botocore shortly before expiry, so a long-running `serve` never holds stale keys.
    core._credentials = DeferredRefreshableCredentials(
        method="assume-role", refresh_using=fetcher.fetch_credentials
    )
    return boto3.Session(botocore_session=core, region_name=target.region or source.region_name)


def _client_creator(source: boto3.Session) -> Any:
    def create(service_name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("region_name", source.region_name)
        return source.client(service_name, **kwargs)

    return create
