"""Render is pure presentation: rows come in as core (or app) types, so it imports no store, AWS
or Slack-app code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[3] / "bot" / "render"
FORBIDDEN = ("bot.store", "bot.aws", "bot.slack")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_render_package_is_found() -> None:
    assert (RENDER / "mrkdwn.py").is_file()


@pytest.mark.parametrize("path", sorted(RENDER.glob("*.py")), ids=lambda p: p.name)
def test_render_module_imports_no_store_aws_or_slack_app(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
