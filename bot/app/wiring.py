"""The composition root: settings in, every service out. ``serve``, ``check``, ``demo``, ``doctor``
and the benchmarks build what they run here, and only choose what to run.

Clients are built here (never at import time), each from an injectable session factory so tests and
the demo can point boto3 at the simulator without touching the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError
from slack_sdk import WebClient

from bot.app.cutover import CutoverGate
from bot.app.cutover_watch import CutoverWatches
from bot.app.cycle import Observers, SweepCycle, SweepObserver
from bot.app.digest import Digest
from bot.app.failed_rows import FailedRows
from bot.app.incidents import Incidents
from bot.app.questions import Questions
from bot.app.slack_events import SlackEvents
from bot.app.sweeps import Sweeps, Watched
from bot.aws.budget import BudgetRegistry, PoolSizer, TokenBucket
from bot.aws.cloudwatch import CloudWatchGateway, cloudwatch_client
from bot.aws.dms import DmsGateway, use_fast_timestamps
from bot.aws.errors import to_bot_error
from bot.aws.secrets import load_secret
from bot.aws.session import budget_account, client_config, make_session
from bot.aws.shared_budget import SharedBudgetRegistry
from bot.deliver.deliverer import BASE_DELAY, Deliverer
from bot.deliver.heartbeat import Heartbeat
from bot.deliver.pagerduty import PagerDutySender
from bot.errors import ConfigError, StoreError
from bot.ops.leadership import refuse_sweep_calls_unless_leader
from bot.ops.metrics import instrument_cloudwatch, instrument_dms
from bot.ops.running import Ops
from bot.settings import Settings, Target
from bot.slack.access import AccessControl
from bot.slack.deps import Deps
from bot.store.base import Store
from bot.store.budget import PostgresBudget
from bot.store.location import SQLITE, locate
from bot.store.sql import SqlStore

SessionFactory = Callable[[Target], boto3.Session]
SecretLoader = Callable[[str], Mapping[str, str]]
CALL_LATENCY = 0.5  # first guess of seconds per DMS call, until a sweep has measured it
MAX_WORKERS = 16  # enough for any budget DMS allows; more would only hold pages in memory
INTERACTIVE_CONNECTIONS = 4  # HTTP connections kept for /dms and buttons beside a full sweep


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_sweeps(
    settings: Settings,
    *,
    session_factory: SessionFactory | None = None,
    registry: BudgetRegistry | None = None,
    clock: Callable[[], datetime] = utc_now,
    endpoint_url: str | None = None,
    call_latency: float = CALL_LATENCY,
    secret_loader: SecretLoader = load_secret,
) -> Sweeps:
    """One gateway per target, one budget per (account, region), a worker pool sized by the budgets.

    ``call_latency`` is the pool's first estimate of one call's duration; sweeps measure the real one.
    """
    factory = session_factory or make_session
    registry = registry or budget_registry(settings)
    watched: list[Watched] = []
    buckets: list[TokenBucket] = []
    for target in settings.targets:
        client, metrics_client = _clients(settings, target, factory, endpoint_url)
        region = client.meta.region_name or "default"
        bucket = registry.bucket(budget_account(target), region, settings.budget_for(target))
        buckets.append(bucket)
        gateway = DmsGateway(client, budget=bucket, serverless=target.serverless)
        watched.append(Watched(target, gateway, CloudWatchGateway(metrics_client, clock=clock)))
    sizer = PoolSizer(buckets, call_latency=call_latency, ceiling=MAX_WORKERS)
    return Sweeps(
        watched,
        policy=settings.policy,
        clock=clock,
        workers=sizer.size(),
        cache_ttl=settings.dms_api.cache_ttl,
        sizer=sizer,
        failed_rows=build_failed_rows(settings, secret_loader),
    )


def budget_registry(settings: Settings) -> BudgetRegistry:
    """Where the DMS budgets live: in the PostgreSQL store, shared by every replica (and every
    ``check`` on it); in this process with a SQLite store, which has one process. A ``DMS_BOT_DB``
    that is no valid location is the store's error to report (``serve``, ``doctor``), not DMS's."""
    try:
        where = locate(settings.store.path)
    except StoreError:
        return BudgetRegistry()
    if where.backend == SQLITE:
        return BudgetRegistry()
    return SharedBudgetRegistry(PostgresBudget(where))


def build_failed_rows(settings: Settings, secret_loader: SecretLoader = load_secret) -> FailedRows | None:
    """Row-level failures from target databases; None (and no database driver loaded) when none is set."""
    if not settings.databases and not settings.failures.use_endpoint_secrets:
        return None
    from bot.targets import FailureSources  # SQLAlchemy and the drivers load only when needed

    return FailedRows(FailureSources.from_settings(settings, secret_loader=secret_loader))


def _clients(
    settings: Settings, target: Target, factory: SessionFactory, endpoint_url: str | None
) -> tuple[Any, Any]:
    """The target's DMS and CloudWatch clients, from one session (one AssumeRole)."""
    try:
        session = factory(target)
        use_fast_timestamps(session)
        region = target.region or session.region_name or settings.aws_region
        dms = session.client(
            "dms",
            region_name=region,
            endpoint_url=endpoint_url,
            config=client_config(settings.dms_api, pool=MAX_WORKERS + INTERACTIVE_CONNECTIONS),
        )
        config = client_config(settings.dms_api, pool=INTERACTIVE_CONNECTIONS)
        return dms, cloudwatch_client(session, region=region, endpoint_url=endpoint_url, config=config)
    except BotoCoreError as exc:
        raise ConfigError(f"target {target.name!r}: {to_bot_error(exc)}") from None


@dataclass(frozen=True)
class Services:
    """Everything a running bot is made of; listeners and commands reach it through the services."""

    settings: Settings
    sweeps: Sweeps
    questions: Questions
    incidents: Incidents
    digest: Digest
    deliverer: Deliverer
    store: Store
    cycle: SweepCycle
    clock: Callable[[], datetime]
    cutover: CutoverGate  # the cutover gate: ``ready``, ``/dms ready``, the workflow step, watches
    watches: CutoverWatches  # "tell me when ready": the gate re-judged by the leader, turns posted


def build_services(
    settings: Settings,
    *,
    slack: Any,
    store: Store,
    sweeps: Sweeps | None = None,
    clock: Callable[[], datetime] = utc_now,
    ops: Ops | None = None,
    base_delay: float = BASE_DELAY,
    leader: Callable[[], int | None] | None = None,
) -> Services:
    """The services over one store; ``slack`` is the WebClient the outbox posts with.

    ``leader`` (``serve``: :meth:`Leadership.epoch`) gates the sweeps and the outbox: only the
    leader does them, fenced by its epoch; without it this process always does."""
    sweeps = sweeps or build_sweeps(settings, clock=clock)
    questions = Questions(sweeps, store=store, clock=clock, timezone=settings.schedule.timezone)
    incidents = Incidents(store=store, settings=settings, questions=questions, clock=clock)
    deliverer = Deliverer(
        store=store,
        slack=slack,
        webhook=settings.webhook,
        clock=clock,
        on_post=incidents.remember_post,
        base_delay=base_delay,
        leader=leader,
        **_outbox_hooks(settings, store, ops),
    )
    incidents.wake = deliverer.wake
    _hook_clients(sweeps, store, clock, ops=ops, leader=leader)
    cycle = SweepCycle(
        sweeps=sweeps,
        incidents=incidents,
        observer=_observer(ops, build_heartbeat(settings)),
        abandoned=ops.abandoned if ops else None,
        wake=deliverer.wake,
        leader=leader,
    )
    digest = Digest(store=store, settings=settings, clock=clock, wake=deliverer.wake)
    cutover = CutoverGate(sweeps, settings=settings.cutover, store=store, clock=clock)
    watches = build_watches(settings, cutover, store, clock, leader=leader, wake=deliverer.wake)
    return Services(
        settings, sweeps, questions, incidents, digest, deliverer, store, cycle, clock, cutover, watches
    )


def build_watches(
    settings: Settings,
    gate: CutoverGate,
    store: Store,
    clock: Callable[[], datetime],
    *,
    leader: Callable[[], int | None] | None,
    wake: Callable[[], None],
) -> CutoverWatches:
    """The cutover watches over the gate: judged by the leader, posted through the outbox."""
    cutover = settings.cutover
    return CutoverWatches(
        store=store,
        gate=gate,
        clock=clock,
        watch_for=cutover.watch_for,
        max_lag=cutover.max_lag,
        steady=cutover.steady,
        webhook=settings.webhook.url is not None,
        leader=leader,
        wake=wake,
    )


def _outbox_hooks(settings: Settings, store: Store, ops: Ops | None) -> dict[str, Any]:
    """The Deliverer's ``on_sent`` (metrics) and its senders beside Slack and the webhook."""
    on_sent = (lambda item: ops.metrics.delivered(item.kind)) if ops is not None else None
    pagerduty = PagerDutySender(settings, store, on_event=ops.metrics.paged if ops else None)
    return {"on_sent": on_sent, "senders": {"pagerduty": pagerduty}}


def build_heartbeat(settings: Settings) -> Heartbeat | None:
    """The dead-man's switch the leader pings after each sweep; None when no URL is set."""
    beat = settings.heartbeat
    return Heartbeat(beat) if beat.url or beat.fail_url else None


def _observer(ops: Ops | None, heartbeat: Heartbeat | None) -> SweepObserver | None:
    """Who hears how each sweep went: /healthz and /metrics (``ops``) and the heartbeat."""
    if heartbeat is None:
        return ops
    return heartbeat if ops is None else Observers(ops, heartbeat)


def _hook_clients(
    sweeps: Sweeps,
    store: Store,
    clock: Callable[[], datetime],
    *,
    ops: Ops | None,
    leader: Callable[[], int | None] | None,
) -> None:
    """A standby's sweep calls are refused; with ``ops``, every AWS call and the outbox are measured."""
    if leader is not None:
        for watched in sweeps.watched:
            refuse_sweep_calls_unless_leader(watched.gateway.client, lambda: leader() is not None)
    if ops is None:
        return
    for watched in sweeps.watched:
        instrument_dms(watched.gateway.client, ops.metrics)
        if watched.cloudwatch is not None:
            instrument_cloudwatch(watched.cloudwatch.client, ops.metrics)
    ops.metrics.watch_outbox(lambda: store.outbox_stats(clock()))


def open_store(settings: Settings) -> Store:
    """The store ``[store] path`` / ``DMS_BOT_DB`` names (a SQLite file or a postgresql:// URL),
    migrated to the current schema."""
    return SqlStore(settings.store.path)


def slack_deps(services: Services, web_client: WebClient) -> Deps:
    """What the Slack listeners may reach: the services, access control and the clock."""
    slack = services.settings.slack
    access = AccessControl(
        client=web_client,
        allowed_channels=slack.allowed_channels,
        allowed_users=slack.allowed_users,
        operators=slack.operators,
    )
    return Deps(
        questions=services.questions,
        incidents=services.incidents,
        access=access,
        clock=services.clock,
        events=SlackEvents(store=services.store, clock=services.clock),
        cutover=services.watches,
    )
