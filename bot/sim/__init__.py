"""A DMS simulator speaking the real AWS JSON protocol, for tests, benchmarks and ``python -m bot demo``.

Unmodified boto3 and the AWS CLI talk to it through ``endpoint_url`` or
``AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE``; scenarios (TOML/JSON) say what it serves.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from bot.sim.errors import ScenarioError
from bot.sim.faults import FaultRule
from bot.sim.fleet import build_fleet
from bot.sim.model import Scenario
from bot.sim.scenario import load_scenario
from bot.sim.server import SimServer

DEMO_SCENARIO: Path = Path(str(files("bot.sim").joinpath("scenarios").joinpath("demo.toml")))

__all__ = [
    "DEMO_SCENARIO",
    "FaultRule",
    "Scenario",
    "ScenarioError",
    "SimServer",
    "build_fleet",
    "load_scenario",
]
