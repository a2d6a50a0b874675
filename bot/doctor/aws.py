"""AWS checks: credentials and DMS permissions per target (one cheap read call each), the secret."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.app.wiring import build_sweeps
from bot.aws.errors import to_bot_error
from bot.aws.secrets import load_secret
from bot.core.parse import to_task
from bot.core.selectors import Selection
from bot.doctor import Check, Status, fail, ok
from bot.doctor.serverless import check_serverless
from bot.errors import (
    BotError,
    CredentialsError,
    DmsAccessDenied,
    DmsThrottled,
    DmsUnavailable,
    SecretsError,
    TaskNotFound,
)
from bot.settings import SECRET_KEYS, Settings, Target

POLICY = "docs/iam-policy.json"
GRANT_ALL = f"grant dms:DescribeReplicationTasks and dms:DescribeTableStatistics ({POLICY})"
GRANT_STATS = f"grant dms:DescribeTableStatistics ({POLICY})"


def check_targets(settings: Settings, *, endpoint_url: str | None = None) -> list[Check]:
    checks: list[Check] = []
    for target in settings.targets:
        checks += check_target(settings, target, endpoint_url=endpoint_url)
    return checks


def check_target(settings: Settings, target: Target, *, endpoint_url: str | None = None) -> list[Check]:
    """Build the target's client exactly as ``serve`` does, but give up fast (few retries, short timeouts)."""
    name = f"aws {target.name}"
    try:
        checker = build_sweeps(quick_settings(settings, target), endpoint_url=endpoint_url)
    except BotError as exc:
        return [fail(name, str(exc), _fix(exc, target, GRANT_ALL))]
    client = checker.watched[0].gateway.client
    checks = check_dms(client, target)
    if checks[0].failed:  # no credentials or no DMS: the serverless lines would only repeat it
        return checks
    return checks + check_serverless(client, target)


def quick_settings(settings: Settings, target: Target) -> Settings:
    """The settings for this one target, giving up fast (few retries, short timeouts)."""
    api = settings.dms_api
    return replace(
        settings,
        targets=(target,),
        dms_api=replace(
            api,
            max_attempts=min(api.max_attempts, 2),
            connect_timeout=min(api.connect_timeout, 5.0),
            read_timeout=min(api.read_timeout, 10.0),
        ),
    )


def check_dms(client: Any, target: Target) -> list[Check]:
    """``DescribeReplicationTasks`` (20 tasks, no settings), then ``DescribeTableStatistics`` on one."""
    name = f"aws {target.name}"
    region = client.meta.region_name or "default region"
    try:
        page = client.describe_replication_tasks(MaxRecords=20, WithoutSettings=True)
    except (ClientError, BotoCoreError) as exc:
        error = to_bot_error(exc)
        if not isinstance(error, TaskNotFound):  # DMS's answer when an account has no task at all
            return [fail(name, f"{region}: {error}", _fix(error, target, GRANT_ALL))]
        page = {}
    raws = [r for r in page.get("ReplicationTasks") or [] if isinstance(r, dict)]
    more = "+" if page.get("Marker") else ""
    checks = [
        ok(name, f"{region}: credentials OK, dms:DescribeReplicationTasks allowed ({len(raws)}{more} tasks)")
    ]
    tasks = [to_task(r) for r in raws]
    chosen = [t for t in tasks if Selection(target.tasks).matches(t)] or tasks
    stats = f"aws {target.name} table statistics"
    if not chosen:
        checks.append(Check(stats, Status.SKIP, "no replication task to try dms:DescribeTableStatistics on"))
        return checks
    task = chosen[0]
    try:
        client.describe_table_statistics(ReplicationTaskArn=task.arn, MaxRecords=20)
    except (ClientError, BotoCoreError) as exc:
        error = to_bot_error(exc)
        checks.append(fail(stats, f"{task.identifier}: {error}", _fix(error, target, GRANT_STATS)))
        return checks
    checks.append(ok(stats, f"dms:DescribeTableStatistics allowed (tried on {task.identifier})"))
    return checks


def _fix(error: BotError, target: Target, grant: str) -> str | None:
    role = f" to the role {target.role_arn}" if target.role_arn else " to the bot's IAM identity"
    if isinstance(error, DmsAccessDenied):
        return grant + role
    if isinstance(error, CredentialsError):
        if target.role_arn:
            return f"let the bot's identity sts:AssumeRole {target.role_arn}, and make the role trust it"
        return "configure AWS credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance/task role"
    if isinstance(error, DmsUnavailable):
        return (
            "check the region, the network path to DMS (VPC endpoint, proxy, firewall) and "
            "AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE if it is set"
        )
    if isinstance(error, DmsThrottled):
        return "DMS is throttling this account and region; run doctor again in a minute"
    return None


def check_secret(secret_id: str) -> tuple[Check, dict[str, str] | None]:
    """The Secrets Manager secret named by DMS_BOT_SECRET_ID, and its values when it could be read."""
    name = "secrets manager"
    try:
        values = load_secret(secret_id)
    except SecretsError as exc:
        fix = (
            "grant secretsmanager:GetSecretValue on the secret (and kms:Decrypt for a customer-managed key), "
            "or correct DMS_BOT_SECRET_ID"
        )
        return fail(name, str(exc), fix), None
    keys = ", ".join(sorted(k for k in values if k in SECRET_KEYS)) or "none of the keys the bot reads"
    return ok(name, f"secret {secret_id!r} readable ({keys})"), values
