"""Composition root for the DMS side: settings in, a ready :class:`Checker` out.

Clients are built here (never at import time), each from an injectable session factory so tests and
the demo can point boto3 at the simulator without touching the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError

from bot.aws.budget import BudgetRegistry, pool_size
from bot.aws.dms import DmsGateway
from bot.aws.errors import to_bot_error
from bot.aws.session import budget_account, client_config, make_session
from bot.errors import ConfigError
from bot.service import Checker, Watched
from bot.settings import Settings, Target

SessionFactory = Callable[[Target], boto3.Session]


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_checker(
    settings: Settings,
    *,
    session_factory: SessionFactory | None = None,
    registry: BudgetRegistry | None = None,
    clock: Callable[[], datetime] = utc_now,
    endpoint_url: str | None = None,
) -> Checker:
    """One gateway per target, one budget per (account, region), a worker pool sized by the budgets."""
    factory = session_factory or make_session
    registry = registry or BudgetRegistry()
    watched: list[Watched] = []
    workers = 0
    seen: set[int] = set()
    for target in settings.targets:
        budget = settings.budget_for(target)
        pool = pool_size(budget)
        try:
            session = factory(target)
            client = session.client(
                "dms",
                region_name=target.region or session.region_name or settings.aws_region,
                endpoint_url=endpoint_url,
                config=client_config(settings.dms_api, pool=pool),
            )
        except BotoCoreError as exc:
            raise ConfigError(f"target {target.name!r}: {to_bot_error(exc)}") from None
        region = client.meta.region_name or "default"
        bucket = registry.bucket(budget_account(target), region, budget)
        if id(bucket) not in seen:
            seen.add(id(bucket))
            workers += pool
        watched.append(Watched(target=target, gateway=DmsGateway(client, budget=bucket)))
    return Checker(
        watched,
        policy=settings.policy,
        clock=clock,
        workers=min(max(workers, 2), 32),
        cache_ttl=settings.dms_api.cache_ttl,
    )
