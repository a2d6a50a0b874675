"""``dms-bot doctor``: one check per dependency a deployment needs, each saying what to fix.

Checks return :class:`Check` values and print nothing; :mod:`bot.cli.doctor` runs and prints
them. Every check makes at most one or two cheap read calls, and no message says a secret.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    OK = "ok"
    FAIL = "fail"
    WARN = "warn"  # worth knowing, but the bot works
    SKIP = "skip"  # could not be checked because an earlier check failed, or not configured


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL


def ok(name: str, detail: str) -> Check:
    return Check(name, Status.OK, detail)


def fail(name: str, detail: str, fix: str | None = None) -> Check:
    return Check(name, Status.FAIL, detail, fix)


__all__ = ["Check", "Status", "fail", "ok"]
