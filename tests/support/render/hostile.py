"""Hostile input for render tests: names that try to ping, link, reshape or bloat a message."""

from __future__ import annotations

import itertools

from bot.core.models import TaskVerdict
from tests.support.render.sample import table, task, verdict

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<@U123>",
    "<!subteam^S123>",
    "<https://evil.example|click>",
    "&amp;",
    "&lt;!channel&gt;",
    "x" * 5000,
    "🚨" * 3000,
    "\u202egnp.exe\u202c",
    "line1\nline2\r\n<!everyone>",
    "`code` ```block```",
    "*bold* _it_ ~strike~",
    "a>b<c",
    "\x00\x1b[2J\x07",
    "lone \ud83d surrogate",
    "",
]


def hostile_verdict(i: int, name: str) -> TaskVerdict:
    tables = [
        table(name, "Mismatched records", failed=5, schema=name, details=name),
        table(f"{name}2", name, name, schema=name, suspended=1),
    ]
    t = task(name + str(i), n=i, status="failed", last_failure_message=name, stop_reason=name)
    return verdict(t, tables, target=name)


def hostile_fleet(n: int = 300) -> list[TaskVerdict]:
    names = itertools.cycle(HOSTILE)
    return [hostile_verdict(i, next(names)) for i in range(n)]
