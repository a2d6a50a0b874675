"""The import rules of the house (DESIGN.md "Architecture"), read from the code's own imports.

Listeners call the application services; render never reaches for the store, AWS or Slack; the
core imports nothing of the bot; the simulator shares nothing with the bot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def bot_imports(path: Path) -> set[str]:
    """Every ``bot.…`` module a file imports (relative imports resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "bot")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "bot":
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def modules(package: str) -> list[Path]:
    return sorted((BOT / package).rglob("*.py"))


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in packages)


def _offending(path: Path, *, forbidden: tuple[str, ...] = (), allowed: tuple[str, ...] = ()) -> list[str]:
    bad = []
    for name in sorted(bot_imports(path)):
        if forbidden and _within(name, forbidden):
            bad.append(name)
        if allowed and name != "bot" and not _within(name, allowed):
            bad.append(name)
    return bad


def _ids(path: Path) -> str:
    return str(path.relative_to(BOT))


@pytest.mark.parametrize("path", modules("slack/listeners"), ids=_ids)
def test_listeners_import_only_app_render_core_and_slack(path: Path) -> None:
    allowed = ("bot.app", "bot.render", "bot.core", "bot.slack")
    assert _offending(path, allowed=allowed) == []


@pytest.mark.parametrize("path", modules("slack"), ids=_ids)
def test_slack_never_imports_store_aws_or_deliver(path: Path) -> None:
    assert _offending(path, forbidden=("bot.store", "bot.aws", "bot.deliver")) == []


@pytest.mark.parametrize("path", modules("render"), ids=_ids)
def test_render_never_imports_store_aws_or_slack(path: Path) -> None:
    assert _offending(path, forbidden=("bot.store", "bot.aws", "bot.slack")) == []


@pytest.mark.parametrize("path", modules("core"), ids=_ids)
def test_core_imports_nothing_of_the_bot_but_itself(path: Path) -> None:
    assert _offending(path, allowed=("bot.core",)) == []


@pytest.mark.parametrize("path", modules("sim"), ids=_ids)
def test_simulator_shares_nothing_with_the_bot(path: Path) -> None:
    assert _offending(path, allowed=("bot.sim",)) == []


@pytest.mark.parametrize("path", modules("aws"), ids=_ids)
def test_aws_knows_no_chat_and_keeps_nothing(path: Path) -> None:
    forbidden = ("bot.slack", "bot.render", "bot.store", "bot.deliver", "bot.app")
    assert _offending(path, forbidden=forbidden) == []


def test_the_rules_can_fail(tmp_path: Path) -> None:
    """The checker itself: a listener importing the store is caught."""
    fake = tmp_path / "listener.py"
    fake.write_text("from bot.store.base import Store\nfrom bot.app.questions import Questions\n")
    assert _offending(fake, allowed=("bot.app",)) == ["bot.store.base", "bot.store.base.Store"]
