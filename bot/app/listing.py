"""What a sweep says when a target's tasks were listed but its DMS Serverless replications were not.

The tasks are still checked. The one error line tells the on-call engineer what the bot cannot see
and what to change: the missing permission (with the policy that has it) or the switch that stops
the bot from looking.
"""

from __future__ import annotations

from bot.core.models import SERVERLESS_UNLISTED, TaskError
from bot.errors import DmsAccessDenied, DmsError
from bot.settings import Target

POLICY = "docs/iam-policy.json"


def serverless_unlisted(target: Target, error: DmsError) -> TaskError:
    """The target-wide error line for replications DescribeReplications could not list."""
    who = f"the role {target.role_arn}" if target.role_arn else "the bot's IAM identity"
    if isinstance(error, DmsAccessDenied):
        text = (
            f"the bot cannot see DMS Serverless replications here: {who} is not allowed "
            f"dms:DescribeReplications ({error}). Tasks are still checked. Grant dms:DescribeReplications "
            f"and dms:DescribeReplicationTableStatistics ({POLICY}), or set serverless = false for "
            f"target {target.name!r} if it has none."
        )
    else:
        text = (
            f"DMS Serverless replications could not be listed ({error}); tasks are still checked, "
            "replications are not in this sweep."
        )
    return TaskError(target=target.name, task_id=None, error=text, kind=SERVERLESS_UNLISTED)
