"""Helpers to point the bot's real boto3 code at a running simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bot.app.sweeps import Sweeps
from bot.app.wiring import build_sweeps
from bot.core.models import Policy
from bot.settings import ApiBudget, DmsApiSettings, Settings, Target

REGION = "eu-west-1"
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock tests move by hand: ``clock()`` is now, ``clock.advance(minutes=15)`` moves it."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


FAST = ApiBudget(rate=10_000, burst=10_000)


def dummy_session(target: Target) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=target.region or REGION
    )


def settings_for(
    *targets: Target, budget: ApiBudget = FAST, policy: Policy | None = None, max_attempts: int = 3
) -> Settings:
    return Settings(
        targets=targets or (Target(name="sim", region=REGION),),
        policy=policy or Policy(stuck_after=None),
        dms_api=DmsApiSettings(budget=budget, max_attempts=max_attempts, read_timeout=5, connect_timeout=2),
    )


def checker_for(sim_url: str, settings: Settings | None = None, **kw: Any) -> Sweeps:
    kw.setdefault("session_factory", dummy_session)
    kw.setdefault("clock", lambda: datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    return build_sweeps(settings or settings_for(), endpoint_url=sim_url, **kw)
