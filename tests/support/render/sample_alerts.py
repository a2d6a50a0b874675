"""Plain-value builders for alert, digest, Home and history tests: alert state and store rows."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from bot.core.alerts import TaskAlert
from bot.core.records import Snooze, SweepRow, VerdictRow
from tests.support.render.hostile import HOSTILE
from tests.support.render.sample import NOW, USER, arn

OPENED = NOW - timedelta(hours=1, minutes=30)
GROUP = "S0123ABC"


def alert(
    task_id: str = "orders-cdc",
    n: int | str = 1,
    *,
    kind: str = "failure",
    tables: tuple[str, ...] = ("sales.bad0", "sales.bad1"),
    **kw: object,
) -> TaskAlert:
    """An open incident, opened 1h 30m before NOW and seen at NOW."""
    base = TaskAlert(
        task_arn=arn(n),
        target="prod-eu",
        task_id=task_id,
        open=True,
        incident=1,
        kind=kind,
        summary="2 tables Mismatched records",
        problem_tables=tables,
        opened_at=OPENED,
        last_seen_at=NOW,
        announced=True,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def acked(a: TaskAlert, by: str = USER) -> TaskAlert:
    return replace(a, acked_by=by, acked_at=NOW - timedelta(minutes=10))


def resolved(a: TaskAlert) -> TaskAlert:
    return replace(a, open=False, resolved_at=NOW)


def row(
    task_id: str = "orders-cdc",
    n: int | str = 1,
    verdict: str = "ok",
    *,
    at: int = 0,
    failed: int = 0,
    pending: int = 0,
    suspended: int = 0,
    target: str = "prod-eu",
    status: str = "running",
    reasons: tuple[str, ...] = (),
    sweep: int = 1,
) -> VerdictRow:
    """One task in one sweep; ``at`` is minutes before NOW."""
    return VerdictRow(
        sweep_id=sweep,
        checked_at=NOW - timedelta(minutes=at),
        target=target,
        task_arn=arn(n),
        task_id=task_id,
        verdict=verdict,
        status=status,
        tables_total=5,
        failed_records=failed,
        suspended_records=suspended,
        pending_records=pending,
        problem_tables=2 if verdict != "ok" else 0,
        reasons=reasons,
    )


def snooze(n: int | str = 1, *, hours: int = 4, by: str = USER) -> Snooze:
    return Snooze(task_arn=arn(n), until=NOW + timedelta(hours=hours), by=by, at=NOW)


def sweep(tasks: int = 3) -> SweepRow:
    return SweepRow(
        id=7,
        checked_at=NOW,
        status="failure",
        tasks=tasks,
        ok=1,
        warning=1,
        failure=1,
        errors=0,
        duration_seconds=4.2,
    )


def history(count: int = 48, *, task_id: str = "orders-cdc") -> list[VerdictRow]:
    """Oldest first, one sweep per 15 minutes: healthy, then failing with growing failed records."""
    rows = []
    for i in range(count):
        bad = i >= count // 2
        rows.append(
            row(
                task_id,
                verdict="failure" if bad else ("warning" if i % 7 == 3 else "ok"),
                at=15 * (count - 1 - i),
                failed=(i - count // 2 + 1) * 3 if bad else 0,
                pending=max(0, 1200 - 50 * i),
                sweep=i + 1,
            )
        )
    return rows


VERDICTS = ("ok", "warning", "failure", "error")


def hostile_fleet_rows(n: int) -> list[VerdictRow]:
    """``n`` tasks with hostile names, targets, statuses and reasons, every verdict mixed."""
    names = itertools.cycle(HOSTILE)
    verdicts = itertools.cycle(VERDICTS)
    out = []
    for i in range(n):
        name = next(names)
        out.append(
            row(
                name + str(i),
                i,
                next(verdicts),
                failed=i,
                target=name,
                status=name,
                reasons=(name, name),
            )
        )
    return out


def hostile_alerts(n: int) -> list[TaskAlert]:
    names = itertools.cycle(HOSTILE)
    return [
        alert(next(names), i, acked_by=next(names) if i % 2 else None, summary=next(names)) for i in range(n)
    ]


# One small fleet for the digest and the Home tab: every verdict, an acked, an error and a closed alert.
ROWS = [
    row("orders-cdc", 1, "failure", failed=57, reasons=("2 tables Mismatched records",)),
    row("billing-cdc", 2, "warning", status="starting", reasons=("task starting",)),
    row("users-cdc", 3),
    row("audit-cdc", 4, "error", reasons=("AccessDeniedFault",)),
]


ALERTS = [acked(alert("orders-cdc", 1)), alert("audit-cdc", 4, kind="error"), alert("old", 5, open=False)]


SNOOZES = {row(n=2).task_arn or "": snooze(2)}
