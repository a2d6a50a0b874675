"""Hostile names and huge fleets: every message stays within Slack's limits and inert."""

from __future__ import annotations

import itertools

from bot.core.models import TaskError, TaskVerdict
from bot.render.blocks import (
    ambiguous_task_message,
    fleet_message,
    problem_tables_message,
    rechecking_message,
    report_message,
    shared_message,
    tables_message,
    task_message,
    unknown_task_message,
)
from tests.render.blockutil import all_text, header_text
from tests.render.limits import assert_safe
from tests.render.sample import NOW, USER, arn, report, table, task, verdict

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


def test_report_for_300_hostile_failing_tasks_stays_within_limits() -> None:
    """300 failing tasks with hostile names: ≤50 blocks, every per-block limit, <12k text, inert."""
    errors = [TaskError(target=n, task_id=n, error=n * 3, task_arn=arn(i)) for i, n in enumerate(HOSTILE)]
    msg = report_message(report(hostile_fleet(), errors), rechecked_by=USER, rechecked_at=NOW)
    assert_safe(msg, users=[USER])
    assert (
        header_text(msg)
        == f":red_circle: DMS validation: 300 tasks failing, {len(HOSTILE)} tasks not checked"
    )
    assert "more tasks with problems — use `/dms status`" in all_text(msg)
    assert "*Could not check:*" in all_text(msg)


def test_fleet_and_problem_tables_for_hostile_fleet() -> None:
    """``/dms status`` and "Show tables" over the same fleet stay within limits and inert."""
    fleet = hostile_fleet()
    assert_safe(fleet_message(report(fleet)))
    assert_safe(problem_tables_message(fleet))


def test_every_one_task_message_for_hostile_names() -> None:
    """Task status, table pages, suggestions and transformations of each hostile name are safe."""
    for i, name in enumerate(HOSTILE):
        v = hostile_verdict(i, name)
        answer = task_message(v, note=name)
        assert_safe(answer)
        assert_safe(shared_message(answer, user_id=name), users=[])
        assert_safe(rechecking_message(answer, user_id=name, at=NOW), users=[])
        rows = [table(name + str(j), name, name, schema=name) for j in range(20)]
        assert_safe(tables_message(v.task, rows, state=name, page=1, total=100))
        assert_safe(unknown_task_message(name, [name] * 20))
        assert_safe(ambiguous_task_message(name, [name] * 20))
        error = TaskError(target=name, task_id=name, error=name, task_arn=name)
        assert_safe(task_message(error, note=name))
