"""Fixtures: simulators on loopback ports and boto3 clients pointed at them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.sim import DEMO_SCENARIO, Scenario, SimServer, load_scenario
from tests.support.sim_helpers import make_client


@pytest.fixture(scope="session")
def demo_scenario() -> Scenario:
    return load_scenario(DEMO_SCENARIO)


@pytest.fixture
def demo(start_sim: Callable[..., SimServer], demo_scenario: Scenario) -> SimServer:
    """The demo scenario, throttling off, real time."""
    return start_sim(demo_scenario)


@pytest.fixture
def dms(demo: SimServer) -> Any:
    return make_client(demo.url)
