"""How a failed delivery ends: retried later (the destination waits) or given up (dead)."""

from __future__ import annotations


class Retry(Exception):
    def __init__(self, message: str, *, after: float | None = None, unknown: bool = False) -> None:
        super().__init__(message)
        self.after = after
        self.unknown = unknown  # a post Slack may have received: looked for before it is sent again


class Dead(Exception):
    pass
