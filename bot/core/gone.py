"""A deprovisioned DMS Serverless replication has lost its table statistics: its last known verdict
stands.

DMS drops a replication's table statistics with its capacity (reference/dms-serverless.md §1c), so a
sweep after that reads no table at all. Judged on nothing, a replication that stopped with mismatched
tables would look recovered. Instead the verdict keeps what its tables last showed, said as such,
and is never better than that: the bot has not seen the mismatches go away.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.models import TaskVerdict, Verdict
from bot.core.records import VerdictRow

BEFORE = "before deprovisioning: "
_VERDICTS = {v.label: v for v in Verdict}


def with_last_known(current: TaskVerdict, last: VerdictRow | None) -> TaskVerdict:
    """``current`` (a sweep of a replication whose statistics are gone) with ``last`` (its newest
    stored row) carried forward: the worse verdict, and the table findings it had, prefixed."""
    if not current.task.deprovisioned or last is None:
        return current
    carried = tuple(r for r in last.reasons if r.startswith(BEFORE))
    if not carried and last.tables_total > 0:  # the last sweep that still read the tables
        carried = tuple(BEFORE + r for r in last.reasons)
    earlier = _VERDICTS.get(last.verdict)
    if not carried or earlier is None:
        return current
    verdict = max(current.verdict, earlier)
    reasons = current.reasons + tuple(r for r in carried if r not in current.reasons)
    return replace(current, verdict=verdict, reasons=reasons)
