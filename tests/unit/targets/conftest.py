"""A reader per real server: the same tests run on PostgreSQL and on MariaDB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.targets.connect import TargetDatabase
from bot.targets.reader import FailuresReader
from tests.support.target_fixtures import FilledTarget

MakeReader = Callable[..., FailuresReader]


@pytest.fixture(params=["postgres", "mysql"])
def target(request: pytest.FixtureRequest) -> FilledTarget:
    filled: FilledTarget = request.getfixturevalue(f"{request.param}_target")
    return filled


@pytest.fixture
def make_reader(target: FilledTarget) -> Iterator[MakeReader]:
    """Readers on ``target`` (any TargetDatabase field overridden); all closed after the test."""
    made: list[FailuresReader] = []

    def make(**fields: Any) -> FailuresReader:
        engine = "postgres" if target.url.get_backend_name() == "postgresql" else "mariadb"
        db = TargetDatabase(
            endpoint="orders-target",
            endpoint_arn=None,
            engine=engine,
            url=target.url,
            control_schema=target.control_schema,
        )
        reader = FailuresReader(replace(db, **fields))
        made.append(reader)
        return reader

    yield make
    for reader in made:
        reader.close()
