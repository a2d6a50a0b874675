"""Cross-cutting suites: each folder is a pytest marker (``pytest -m faults``, ``-m "not e2e"``)."""

from __future__ import annotations

from pathlib import Path

import pytest

SUITES = ("faults", "hostile", "security", "ops", "e2e")
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).relative_to(HERE).parts if HERE in Path(str(item.path)).parents else ()
        if parts and parts[0] in SUITES:
            item.add_marker(getattr(pytest.mark, parts[0]))
