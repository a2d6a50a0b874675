"""CDC lag of DMS Serverless replications: which CloudWatch dimension the bot discovered, per target.

AWS documents none (see :mod:`bot.aws.lag_dimensions`), so doctor says what ListMetrics showed: the
dimension names of the serverless ``CDCLatencySource`` series, and how many of the listed
replications they name. A replication with no series gets no lag finding (its tables are still
judged), which is worth a warning, not a failure.
"""

from __future__ import annotations

from bot.app.sweeps import Watched
from bot.app.wiring import build_sweeps
from bot.aws.cloudwatch import wants_latency
from bot.aws.lag_dimensions import dimension_names
from bot.core.models import TaskKind
from bot.core.selectors import Selection
from bot.doctor import Check, Status, fail, ok
from bot.doctor.aws import POLICY, quick_settings
from bot.errors import BotError
from bot.settings import Settings

GRANT_LIST = f"grant cloudwatch:ListMetrics ({POLICY})"


def check_lag(settings: Settings, *, endpoint_url: str | None = None) -> list[Check]:
    checks: list[Check] = []
    for target in settings.targets:
        try:
            sweeps = build_sweeps(quick_settings(settings, target), endpoint_url=endpoint_url)
        except BotError:
            continue  # check_targets already said why this target cannot be reached
        checks.append(check_watched(sweeps.watched[0]))
    return checks


def check_watched(watched: Watched) -> Check:
    """One line: the discovered dimension(s), or that there are none, for one target."""
    name = f"aws {watched.target.name} serverless CDC lag"
    if watched.cloudwatch is None:
        return Check(name, Status.SKIP, "CDC lag is not read for this target")
    try:
        listed = watched.gateway.list_tasks(Selection(watched.target.tasks))
    except BotError:
        return Check(name, Status.SKIP, "DMS could not be listed (see the check above)")
    replications = [t for t in listed if t.kind is TaskKind.SERVERLESS and wants_latency(t)]
    try:
        found = dimension_names(watched.cloudwatch.lag_series())
        matched = watched.cloudwatch.serverless_dimensions(replications)
    except BotError as exc:
        return fail(name, str(exc), GRANT_LIST)
    detail = (
        f"ListMetrics (AWS/DMS CDCLatencySource) found the dimension {', '.join(found) or 'none'}; "
        f"{len(matched)} of {len(replications)} running CDC DMS Serverless replications matched"
    )
    if len(matched) < len(replications):
        return Check(name, Status.WARN, detail + " (the others get no CDC lag finding)")
    return ok(name, detail)
