"""DMS Serverless permissions per target: is each read call the bot may make allowed?

One small call each: DescribeReplications and DescribeReplicationConfigs (``MaxRecords=20``), then
DescribeReplicationTableStatistics on one replication the target watches (its IAM resource is the
replication config, so a policy may allow the listing and still deny the statistics).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.errors import to_bot_error
from bot.core.parse import to_replication
from bot.core.selectors import Selection
from bot.doctor import Check, Status, fail, ok
from bot.errors import BotError, DmsAccessDenied, TaskNotFound
from bot.settings import Target

POLICY = "docs/iam-policy.json"
LISTING = "DescribeReplications"
CONFIGS = "DescribeReplicationConfigs"
STATISTICS = "DescribeReplicationTableStatistics"


def check_serverless(client: Any, target: Target) -> list[Check]:
    """One line per serverless permission; a skip line when ``serverless = false``."""
    name = f"aws {target.name} serverless"
    if not target.serverless:
        return [Check(name, Status.SKIP, "serverless = false: DMS Serverless replications are not watched")]
    listed, checks = _allowed(name, target, LISTING, lambda: client.describe_replications(MaxRecords=20))
    _, more = _allowed(
        f"{name} configs", target, CONFIGS, lambda: client.describe_replication_configs(MaxRecords=20)
    )
    checks += more
    if listed is None:
        return checks
    raws = [r for r in listed.get("Replications") or [] if isinstance(r, dict)]
    more_pages = "+" if listed.get("Marker") else ""
    checks[0] = ok(name, f"dms:{LISTING} allowed ({len(raws)}{more_pages} replications)")
    replications = [to_replication(r) for r in raws]
    chosen = [r for r in replications if Selection(target.tasks).matches(r)] or replications
    stats = f"{name} table statistics"
    if not chosen:
        checks.append(Check(stats, Status.SKIP, f"no replication to try dms:{STATISTICS} on"))
        return checks
    first = chosen[0]
    _, more = _allowed(
        stats,
        target,
        STATISTICS,
        lambda: client.describe_replication_table_statistics(ReplicationConfigArn=first.arn, MaxRecords=20),
        on=first.identifier,
    )
    return checks + more


def _allowed(
    name: str, target: Target, action: str, call: Callable[[], Any], *, on: str = ""
) -> tuple[dict[str, Any] | None, list[Check]]:
    """The call's answer (``{}`` when DMS says there is none) and its check line."""
    where = f" (tried on {on})" if on else ""
    try:
        answer = call()
    except (ClientError, BotoCoreError) as exc:
        error = to_bot_error(exc)
        if not isinstance(error, TaskNotFound):  # DMS's answer when there is nothing to list
            return None, [fail(name, f"dms:{action}{where}: {error}", _fix(error, target, action))]
        answer = {}
    return answer, [ok(name, f"dms:{action} allowed{where}")]


def _fix(error: BotError, target: Target, action: str) -> str | None:
    if not isinstance(error, DmsAccessDenied):
        return None
    role = f"the role {target.role_arn}" if target.role_arn else "the bot's IAM identity"
    return (
        f"grant dms:{action} to {role} ({POLICY}), or set serverless = false for target "
        f"{target.name!r} if it runs no DMS Serverless replication"
    )
