"""The DMS API budget every replica shares: one token bucket row per (account, region) in PostgreSQL.

A take is one statement: lock the row, refill it for the time since ``updated_at`` (capped at the
burst), hand out up to ``want`` whole tokens and write the rest back, stamped with the database's
clock. ``updated_at`` never moves back (``GREATEST``), so however the takes of several replicas
interleave, the tokens handed out since the row was created never exceed ``burst + rate x elapsed``.
The first take creates the row, full. See :class:`bot.aws.shared_budget.SharedTokenBucket` for the
process side (priorities, small batches, the fallback when the database cannot be reached).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.engines import bounded_postgres
from bot.store.errors import mapped
from bot.store.location import Location

_TAKE = sa.text(
    """
    WITH cur AS (
        SELECT tokens, updated_at, GREATEST(clock_timestamp(), updated_at) AS at
        FROM dms_budget WHERE account = :account AND region = :region FOR UPDATE
    ), refilled AS (
        SELECT at, LEAST(:burst, tokens + extract(epoch FROM at - updated_at) * :rate) AS tokens FROM cur
    ), given AS (
        SELECT at, tokens, LEAST(:want, floor(tokens)) AS granted FROM refilled
    )
    UPDATE dms_budget AS b SET tokens = given.tokens - given.granted, updated_at = given.at
    FROM given WHERE b.account = :account AND b.region = :region
    RETURNING given.granted, b.tokens
    """
).bindparams(
    sa.bindparam("account", type_=sa.Text),
    sa.bindparam("region", type_=sa.Text),
    sa.bindparam("want", type_=sa.Float),
    sa.bindparam("rate", type_=sa.Float),
    sa.bindparam("burst", type_=sa.Float),
)
_CREATE = sa.text(
    """
    INSERT INTO dms_budget (account, region, tokens, updated_at)
    VALUES (:account, :region, :burst, clock_timestamp())
    ON CONFLICT (account, region) DO NOTHING
    """
).bindparams(sa.bindparam("burst", type_=sa.Float))


class PostgresBudget:
    """Takes tokens from the shared rows, on a small engine of its own whose every wait is bounded
    by ``timeout`` (connecting, each statement), so a DMS call never waits long on the database."""

    def __init__(self, where: Location, *, timeout: float = 2.0) -> None:
        self.where = where
        millis = max(200, int(timeout * 1000))
        self.engine = bounded_postgres(
            where,
            purpose="budget",
            timeout=millis / 1000,
            pool_size=2,
            options=f"-c statement_timeout={millis} -c lock_timeout={millis}",
        )

    def take(self, account: str, region: str, *, want: int, rate: float, burst: int) -> tuple[int, float]:
        """Up to ``want`` tokens now: (tokens granted, tokens left in the row). StoreError when the
        database cannot be reached or refuses."""
        params = {"account": account, "region": region, "want": want, "rate": rate, "burst": burst}
        with mapped(self.where), self.engine.begin() as conn:
            row = conn.execute(_TAKE, params).first()
            if row is None:  # the first take ever for this (account, region)
                conn.execute(_CREATE, {"account": account, "region": region, "burst": burst})
                row = conn.execute(_TAKE, params).one()
        return int(row[0]), float(row[1])

    def close(self) -> None:
        self.engine.dispose()
