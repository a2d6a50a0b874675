"""SQLite only: these tests are about the file (locks, permissions, WAL, a full disk)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store_location(db_path: Path) -> str:
    return str(db_path)
