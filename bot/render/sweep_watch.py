"""What a standby says when the leader has stopped sweeping, and when sweeps come back.

Pure like every renderer: the replica names come from the lease row (``host:pid``, but a hostname
is whatever the platform set), so they are escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.durations import format_duration
from bot.core.report import iso
from bot.render import kit
from bot.render.kit import SlackMessage, context, section
from bot.render.mrkdwn import label, slack_date
from bot.render.words import took

REPLICA_MAX = 120  # a hostname is at most 253 characters; a pod's is far shorter


@dataclass(frozen=True, slots=True)
class Stall:
    """No sweep for too long: the last one, and the leader as the lease row last showed it."""

    last_sweep_at: datetime | None  # None: no sweep was ever recorded
    now: datetime
    check_every: float  # seconds between the sweeps that stopped
    leader: str | None = None  # the lease's holder; None: no replica has ever led
    leader_seen_at: datetime | None = None  # its last renewal
    noticed_by: str = ""  # the standby that says so


def stalled_fallback(stall: Stall) -> str:
    since = f"since {iso(stall.last_sweep_at)}" if stall.last_sweep_at else "recorded yet"
    leader = f"leader {label(stall.leader, REPLICA_MAX)}" if stall.leader else "no leader"
    seen = f" last seen {iso(stall.leader_seen_at)}" if stall.leader and stall.leader_seen_at else ""
    return f"No DMS sweep {since}; {leader}{seen}"


def _since(stall: Stall) -> str:
    if stall.last_sweep_at is None:
        return "No DMS sweep has been recorded yet"
    gone = took(stall.now - stall.last_sweep_at)
    return f"No DMS sweep since {slack_date(stall.last_sweep_at)} ({gone} ago)"


def _leader(stall: Stall) -> str:
    if not stall.leader:
        return "no replica has ever led"
    seen = f" last seen {slack_date(stall.leader_seen_at)}" if stall.leader_seen_at else ""
    return f"leader *{label(stall.leader, REPLICA_MAX)}*{seen}"


def stalled_message(stall: Stall) -> SlackMessage:
    """The standby's one warning per outage: nothing is watching DMS until a replica sweeps again."""
    head = f":rotating_light: {_since(stall)}; {_leader(stall)}."
    body = (
        f"Sweeps are due every {format_duration(stall.check_every)}. Until one runs, no DMS validation "
        "problem is reported: check the leader's logs and the database."
    )
    note = f"Noticed by standby {label(stall.noticed_by, REPLICA_MAX)}" if stall.noticed_by else ""
    blocks = [section(f"{head}\n{body}")] + ([context(note)] if note else [])
    return kit.message(stalled_fallback(stall), blocks)


def resumed_fallback(at: datetime) -> str:
    return f"DMS sweeps resumed ({iso(at)})"


def resumed_message(*, at: datetime, stalled_since: datetime | None) -> SlackMessage:
    """Sweeps are back: ``at`` the first one after the outage, which began after ``stalled_since``."""
    gap = f", after none for {took(at - stalled_since)}" if stalled_since else ""
    text = f":white_check_mark: DMS sweeps resumed: one finished {slack_date(at)}{gap}."
    return kit.message(resumed_fallback(at), [section(text)])
