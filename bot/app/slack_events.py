"""Slack events handled once by the whole group of replicas.

The Events API re-sends an event it thinks was not acknowledged in time (``X-Slack-Retry-Num``),
and the retry may reach another replica than the first delivery. Each event's ``event_id`` is
claimed in the store (one INSERT that only one replica can win), so whichever replica sees it second
knows it was already handled. Claims are forgotten after a day by the hourly prune.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.errors import StoreError
from bot.store.base import Claims

log = logging.getLogger(__name__)


class SlackEvents:
    """``first_delivery(event_id)``: True once per event across every replica."""

    def __init__(self, *, store: Claims, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def first_delivery(self, event_id: str) -> bool:
        """False when this event was already claimed (by this replica or another); when the store
        cannot say, True: handling an event twice beats never handling it."""
        try:
            return self.store.claim(f"slack-event:{event_id}", at=self.clock())
        except StoreError as exc:
            log.warning("could not record Slack event %s, handling it anyway: %s", event_id, exc)
            return True
