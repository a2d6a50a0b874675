"""Leader election in PostgreSQL itself: one lease row with a holder, an expiry and an epoch.

A replica holds the lease while it renews it in time; when it stops (killed, frozen, cut off, or a
TCP connection that stays open but carries nothing), the lease expires by the *database's* clock and
the next replica to try takes it with ``epoch + 1``. Host clocks never enter into it. The epoch is
the fencing token: writes that only the leader may make check it in their own transaction
(:meth:`bot.store.sql.SqlStore.transaction` with ``fence``), so a former leader that wakes up is
refused with :class:`bot.errors.Fenced` before anything it decided is written or sent.

SQLite has one process (``serve``'s file lock), which is always the leader: :class:`SoloLease`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from bot.store import schema as t
from bot.store.engines import bounded_postgres
from bot.store.errors import mapped
from bot.store.location import Location

LEADER = "leader"  # the lease's name (one row)
SOLO_EPOCH = 1  # SQLite: the one process's fixed epoch

_CLAIM = sa.text(
    """
    INSERT INTO leadership AS l (name, holder, epoch, acquired_at, renewed_at, expires_at)
    VALUES (:name, :holder, 1, clock_timestamp(), clock_timestamp(),
            clock_timestamp() + make_interval(secs => :ttl))
    ON CONFLICT (name) DO UPDATE SET
        epoch = CASE WHEN l.epoch = :held AND l.holder = :holder THEN l.epoch ELSE l.epoch + 1 END,
        acquired_at = CASE WHEN l.epoch = :held AND l.holder = :holder
                           THEN l.acquired_at ELSE excluded.acquired_at END,
        holder = excluded.holder,
        renewed_at = excluded.renewed_at,
        expires_at = excluded.expires_at
    WHERE (l.epoch = :held AND l.holder = :holder) OR l.expires_at <= clock_timestamp()
    RETURNING l.epoch
    """
).bindparams(
    sa.bindparam("name", type_=sa.Text),
    sa.bindparam("holder", type_=sa.Text),
    sa.bindparam("held", type_=sa.BigInteger),
    sa.bindparam("ttl", type_=sa.Float),
)
_READ = sa.text(
    """
    SELECT holder, epoch,
           extract(epoch FROM clock_timestamp() - acquired_at) AS leading_for,
           extract(epoch FROM clock_timestamp() - renewed_at) AS renewed_ago,
           extract(epoch FROM expires_at - clock_timestamp()) AS expires_in
    FROM leadership WHERE name = :name
    """
)
_RESIGN = sa.text(
    "UPDATE leadership SET expires_at = clock_timestamp() WHERE name = :name AND epoch = :epoch AND holder = :holder"
)


@dataclass(frozen=True, slots=True)
class LeaseView:
    """The lease as the database sees it; ages in seconds by the database's clock."""

    holder: str
    epoch: int
    leading_for: float  # since this holder took it
    renewed_ago: float
    expires_in: float  # negative: expired, free for the next replica to take

    @property
    def expired(self) -> bool:
        return self.expires_in <= 0


@dataclass(frozen=True, slots=True)
class Claim:
    """One acquire-or-renew attempt: whether this replica leads now, and the lease after it."""

    leader: bool
    epoch: int | None  # this replica's epoch when it leads
    lease: LeaseView | None  # None: nobody has ever led


class Lease(Protocol):
    holder: str

    def claim(self, held: int | None, *, ttl: float) -> Claim:
        """Renew the lease held at epoch ``held``, or take it if it is free; never waits for it."""
        ...

    def resign(self, epoch: int) -> None:
        """Let the lease expire now (a clean stop), so the next replica need not wait for it."""
        ...

    def read(self) -> LeaseView | None: ...
    def close(self) -> None: ...


class SoloLease:
    """SQLite: one process per database (the file lock), always the leader at a fixed epoch."""

    def __init__(self, holder: str) -> None:
        self.holder = holder

    def claim(self, held: int | None, *, ttl: float) -> Claim:
        view = LeaseView(self.holder, SOLO_EPOCH, 0.0, 0.0, math.inf)
        return Claim(leader=True, epoch=SOLO_EPOCH, lease=view)

    def resign(self, epoch: int) -> None:
        pass

    def read(self) -> LeaseView | None:
        return None

    def close(self) -> None:
        pass


class PostgresLease:
    """The lease row, on a small engine of its own whose every wait is bounded by ``timeout``
    (connecting, each statement, an unanswered TCP connection), so a renewal never hangs longer
    than the lease could survive it."""

    def __init__(self, where: Location, *, holder: str, timeout: float) -> None:
        self.holder = holder
        self.where = where
        millis = max(500, int(timeout * 1000))
        self.engine = bounded_postgres(
            where,
            purpose="leadership",
            timeout=millis / 1000,
            pool_size=1,
            options=f"-c statement_timeout={millis} -c idle_in_transaction_session_timeout={millis}",
            keepalives=1,
            keepalives_idle=max(1, math.ceil(timeout)),
            keepalives_interval=1,
            keepalives_count=3,
        )

    def claim(self, held: int | None, *, ttl: float) -> Claim:
        params = {"name": LEADER, "holder": self.holder, "held": held, "ttl": ttl}
        with mapped(self.where), self.engine.begin() as conn:
            epoch = conn.execute(_CLAIM, params).scalar()
            view = _view(conn)
        if epoch is None:
            return Claim(leader=False, epoch=None, lease=view)
        return Claim(leader=True, epoch=int(epoch), lease=view)

    def resign(self, epoch: int) -> None:
        with mapped(self.where), self.engine.begin() as conn:
            conn.execute(_RESIGN, {"name": LEADER, "epoch": epoch, "holder": self.holder})

    def read(self) -> LeaseView | None:
        with mapped(self.where), self.engine.connect() as conn:
            return _view(conn)

    def close(self) -> None:
        self.engine.dispose()


def _view(conn: sa.Connection) -> LeaseView | None:
    row = conn.execute(_READ, {"name": LEADER}).mappings().first()
    if row is None:
        return None
    return LeaseView(
        holder=str(row["holder"]),
        epoch=int(row["epoch"]),
        leading_for=float(row["leading_for"]),
        renewed_ago=float(row["renewed_ago"]),
        expires_in=float(row["expires_in"]),
    )


def epoch_for_fencing() -> sa.Select[tuple[int]]:
    """The leader's epoch, read with a share lock held to the end of the caller's transaction: a
    takeover (an UPDATE of the row) waits until that transaction has committed or rolled back."""
    c = t.leadership.c
    return sa.select(c.epoch).where(c.name == LEADER).with_for_update(read=True)
