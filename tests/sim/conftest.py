"""Fixtures: simulators on loopback ports and boto3 clients pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.sim import DEMO_SCENARIO, Scenario, SimServer, load_scenario
from tests.sim.helpers import make_client


@pytest.fixture(scope="session")
def demo_scenario() -> Scenario:
    return load_scenario(DEMO_SCENARIO)


@pytest.fixture
def start_sim() -> Iterator[Callable[..., SimServer]]:
    """Start simulators with any options; all are stopped after the test."""
    started: list[SimServer] = []

    def start(scenario: Scenario, **options: Any) -> SimServer:
        options.setdefault("throttling", False)
        sim = SimServer(scenario, **options).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def demo(start_sim: Callable[..., SimServer], demo_scenario: Scenario) -> SimServer:
    """The demo scenario, throttling off, real time."""
    return start_sim(demo_scenario)


@pytest.fixture
def dms(demo: SimServer) -> Any:
    return make_client(demo.url)
