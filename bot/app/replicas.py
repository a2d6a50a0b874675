"""The replica group's part of the composition root: who leads (the lease of a PostgreSQL store,
or this one process on SQLite) and the standbys' watch on the leader's sweeps."""

from __future__ import annotations

from bot.app.sweep_watch import SweepWatch
from bot.app.wiring import Services
from bot.ops.leadership import ATTEMPTS_PER_TIMEOUT, Leadership, identity
from bot.settings import Settings
from bot.store.leases import Lease, PostgresLease, SoloLease
from bot.store.location import SQLITE, locate


def build_leadership(settings: Settings) -> Leadership:
    """Who leads: the lease row of a PostgreSQL store, or, on SQLite, this one process."""
    where = locate(settings.store.path)
    timeout = settings.ha.leader_timeout
    lease: Lease
    if where.backend == SQLITE:
        lease = SoloLease(identity())
    else:  # each attempt may take at most the time between attempts
        lease = PostgresLease(where, holder=identity(), timeout=timeout / ATTEMPTS_PER_TIMEOUT)
    return Leadership(lease, timeout=timeout)


def build_sweep_watch(settings: Settings, services: Services, leadership: Leadership) -> SweepWatch | None:
    """The standbys' watch on the leader's sweeps: PostgreSQL only (SQLite has one process, always
    the leader), and only with a report channel to warn in."""
    channel = settings.slack.channel
    if locate(settings.store.path).backend == SQLITE or not channel:
        return None
    return SweepWatch(
        store=services.store,
        channel=channel,
        check_every=settings.schedule.check_every,
        standby=lambda: not leadership.is_leader(),
        lease=leadership.lease.read,
        send_now=services.deliverer.send_now,
        clock=services.clock,
        replica=leadership.holder,
    )
