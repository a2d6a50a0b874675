"""The core stays pure: no I/O libraries, no environment, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[3] / "bot" / "core"
FORBIDDEN_MODULES = (
    "boto3",
    "botocore",
    "slack_sdk",
    "slack_bolt",
    "requests",
    "urllib3",
    "os",
    "socket",
    "time",
    "sqlalchemy",
    "psycopg",
    "pymysql",
)
FORBIDDEN_CALLS = ("now", "utcnow", "today", "getenv")


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_io(path: Path) -> None:
    """No boto3/slack/requests/os/time import in bot/core."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_reads_no_clock(path: Path) -> None:
    """No datetime.now()/date.today()/getenv() in bot/core: time is passed in."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in FORBIDDEN_CALLS, f"{path.name} calls .{node.func.attr}()"
