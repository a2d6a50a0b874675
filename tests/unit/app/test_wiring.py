"""The composition root picks where the DMS budgets live from the store: in PostgreSQL, shared by
every replica; with SQLite (one process), in memory as before."""

from __future__ import annotations

from pathlib import Path

from bot.app.wiring import budget_registry
from bot.aws.budget import BudgetRegistry, TokenBucket
from bot.aws.shared_budget import SharedBudgetRegistry, SharedTokenBucket
from bot.settings import ApiBudget, Settings, StoreSettings


def test_a_sqlite_store_keeps_the_in_process_bucket(tmp_path: Path) -> None:
    registry = budget_registry(Settings(store=StoreSettings(path=str(tmp_path / "bot.db"))))
    assert type(registry) is BudgetRegistry
    assert type(registry.bucket("123", "eu-west-1", ApiBudget())) is TokenBucket


def test_a_postgresql_store_shares_the_bucket_between_replicas() -> None:
    """Built without connecting: the first DMS call is the first round trip."""
    settings = Settings(store=StoreSettings(path="postgresql://bot@127.0.0.1:1/dms"))
    registry = budget_registry(settings)
    assert isinstance(registry, SharedBudgetRegistry)
    assert isinstance(registry.bucket("123", "eu-west-1", ApiBudget()), SharedTokenBucket)


def test_an_invalid_store_location_leaves_the_budget_in_process() -> None:
    """``check`` needs no store: a bad DMS_BOT_DB is reported by ``serve`` and ``doctor``'s store line."""
    registry = budget_registry(Settings(store=StoreSettings(path="mysql://bot@db/dms")))
    assert type(registry) is BudgetRegistry
