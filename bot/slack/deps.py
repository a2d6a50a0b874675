"""Everything the Slack side needs, built once by the composition root and passed to listeners."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.app.incidents import Alerter
from bot.app.questions import Questions
from bot.app.sweeps import Checker
from bot.deliver.deliverer import Deliverer
from bot.settings import Settings
from bot.slack.access import AccessControl
from bot.store.base import Store


class InFlight:
    """Keys someone is acting on right now, so a double click does the work once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[str] = set()

    @contextlib.contextmanager
    def claim(self, key: str) -> Iterator[bool]:
        """Yields True for the first claimant; False while another holds ``key``."""
        with self._lock:
            first = key not in self._keys
            self._keys.add(key)
        try:
            yield first
        finally:
            if first:
                with self._lock:
                    self._keys.discard(key)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    checker: Checker
    questions: Questions
    web_client: WebClient
    access: AccessControl
    executor: ThreadPoolExecutor  # work after ack(): never blocks Slack's 3-second window
    clock: Callable[[], datetime]
    store: Store
    alerter: Alerter
    deliverer: Deliverer
    in_flight: InFlight = field(default_factory=InFlight)
