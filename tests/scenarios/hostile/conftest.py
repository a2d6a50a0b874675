"""The in-process bot and its fakes, shared with the fault-injection suite."""

from __future__ import annotations

from tests.scenarios.faults.conftest import make_bot, receiver, slack

__all__ = ["make_bot", "receiver", "slack"]
