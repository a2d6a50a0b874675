from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sim import SimServer
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.fakes.slack_api import FakeSlackApi
from tests.support.inprocess import CHANNEL, OTHER_CHANNEL, InProcessBot, fault_settings, small_fleet

MakeBot = Callable[..., InProcessBot]


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.add_channel(CHANNEL)
        fake.add_channel(OTHER_CHANNEL)
        yield fake


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as hook:
        yield hook


@pytest.fixture
def make_bot(start_sim: Callable[..., SimServer], slack: FakeSlackApi, tmp_path: Path) -> Iterator[MakeBot]:
    """An in-process bot against a fresh simulator (the small fleet unless told otherwise)."""
    bots: list[InProcessBot] = []

    def make(*, scenario: Any = None, sim: SimServer | None = None, **kw: Any) -> InProcessBot:
        settings = kw.pop("settings", None) or fault_settings(
            slack, **{k: kw.pop(k) for k in ("dms", "webhook", "targets", "operators") if k in kw}
        )
        server = sim or start_sim(scenario or small_fleet(), **kw.pop("sim_options", {}))
        bot = InProcessBot(server, slack, settings, tmp_path / f"bot{len(bots)}.sqlite3", **kw)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        bot.close()
