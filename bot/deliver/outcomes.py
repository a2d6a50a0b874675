"""How one outbox delivery ended, shared by the deliverer and the senders it dispatches to."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from bot.store.base import OutboxItem

Sender = Callable[[OutboxItem], dict[str, Any] | None]
"""Sends one item of its kind: the result to record, or raises :class:`Retry` / :class:`Dead`."""


class Delivery(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    DEAD = "dead"
    BUSY = "busy"  # another sender holds it (its destination waits, like a retry)


class Retry(Exception):
    """Try again later (``after`` seconds, else the outbox's backoff); ``quiet``: the sender has
    already said so (one warning per outage), so each retry is logged at debug level only."""

    def __init__(
        self, message: str, *, after: float | None = None, quiet: bool = False, unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.after = after
        self.quiet = quiet
        self.unknown = unknown  # a post Slack may have received: looked for before it is sent again


class Dead(Exception):
    pass
