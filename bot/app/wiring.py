"""Composition root for the DMS side: settings in, a ready :class:`Checker` out.

Clients are built here (never at import time), each from an injectable session factory so tests and
the demo can point boto3 at the simulator without touching the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError

from bot.app.sweeps import Checker, Watched
from bot.aws.budget import BudgetRegistry, PoolSizer, TokenBucket
from bot.aws.dms import DmsGateway, use_fast_timestamps
from bot.aws.errors import to_bot_error
from bot.aws.session import budget_account, client_config, make_session
from bot.errors import ConfigError
from bot.settings import Settings, Target

SessionFactory = Callable[[Target], boto3.Session]
CALL_LATENCY = 0.5  # first guess of seconds per DMS call, until a sweep has measured it
MAX_WORKERS = 16  # enough for any budget DMS allows; more would only hold pages in memory
INTERACTIVE_CONNECTIONS = 4  # HTTP connections kept for /dms and buttons beside a full sweep


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_checker(
    settings: Settings,
    *,
    session_factory: SessionFactory | None = None,
    registry: BudgetRegistry | None = None,
    clock: Callable[[], datetime] = utc_now,
    endpoint_url: str | None = None,
    call_latency: float = CALL_LATENCY,
) -> Checker:
    """One gateway per target, one budget per (account, region), a worker pool sized by the budgets.

    ``call_latency`` is the pool's first estimate of one call's duration; sweeps measure the real one.
    """
    factory = session_factory or make_session
    registry = registry or BudgetRegistry()
    watched: list[Watched] = []
    buckets: list[TokenBucket] = []
    for target in settings.targets:
        budget = settings.budget_for(target)
        try:
            session = factory(target)
            use_fast_timestamps(session)
            client = session.client(
                "dms",
                region_name=target.region or session.region_name or settings.aws_region,
                endpoint_url=endpoint_url,
                config=client_config(settings.dms_api, pool=MAX_WORKERS + INTERACTIVE_CONNECTIONS),
            )
        except BotoCoreError as exc:
            raise ConfigError(f"target {target.name!r}: {to_bot_error(exc)}") from None
        region = client.meta.region_name or "default"
        bucket = registry.bucket(budget_account(target), region, budget)
        buckets.append(bucket)
        watched.append(Watched(target=target, gateway=DmsGateway(client, budget=bucket)))
    sizer = PoolSizer(buckets, call_latency=call_latency, ceiling=MAX_WORKERS)
    return Checker(
        watched,
        policy=settings.policy,
        clock=clock,
        workers=sizer.size(),
        cache_ttl=settings.dms_api.cache_ttl,
        sizer=sizer,
    )
