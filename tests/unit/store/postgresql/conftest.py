"""PostgreSQL only: the server, its URL and its locks."""

from __future__ import annotations

import pytest


@pytest.fixture
def store_location(postgres_url: str) -> str:
    return postgres_url
