"""Failed rows: which records failed validation and how, read from DMS's control table on the
task's target database (``bot.targets``). For the report (one query per failing task), the
``Failed rows`` button and ``/dms failures``, and ``dms-bot failures``.

Nothing configured (no ``[[databases]]``, no ``use_endpoint_secrets``): nothing is asked, not even
DescribeEndpoints. A database that cannot be read is said, never shown as an empty list.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.aws.budget import Priority, priority
from bot.core.cutover import TargetRows
from bot.core.failures import FailurePage, RowFailures
from bot.core.models import Task, TaskVerdict
from bot.core.selectors import Selection
from bot.errors import BotError, ConfigError, TargetDbError

if TYPE_CHECKING:
    from bot.app.sweeps import Sweeps, Watched
    from bot.targets import FailureSources

log = logging.getLogger(__name__)
NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True, slots=True)
class FailedRowsPage:
    """One question's answer: where it was read, and the newest rows with counts of all of them.

    ``number`` (0-based) and ``per_page`` place the rows in a paged answer (``/dms failures``);
    ``table`` is the ``(schema, table)`` asked about, if any.
    """

    task: Task
    endpoint: str
    engine: str
    page: FailurePage
    number: int = 0
    per_page: int = 0
    table: tuple[str, str] | None = None


class FailedRows:
    def __init__(self, sources: FailureSources) -> None:
        self.sources = sources

    @property
    def enabled(self) -> bool:
        return self.sources.enabled

    def attach(self, watched: Watched, verdict: TaskVerdict) -> TaskVerdict:
        """The verdict with its problem tables' failures (one query), when a database is configured."""
        if not self.enabled or not verdict.problem_tables:
            return verdict
        try:
            with priority(Priority.SWEEP):
                _, summary = self.sources.summary(verdict.task, watched.gateway)
        except TargetDbError as exc:
            if exc.kind == NOT_CONFIGURED:
                return verdict
            return _unreadable(verdict, str(exc))
        except BotError as exc:  # DescribeEndpoints refused, a secret unreadable: the verdict stands
            return _unreadable(verdict, f"the target database could not be found: {exc}")
        return replace(verdict, row_failures=RowFailures(summary=summary))

    def page(
        self,
        watched: Watched,
        task: Task,
        *,
        table: tuple[str, str] | None = None,
        failure_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> FailedRowsPage:
        """The newest failures of ``task`` (TargetDbError, one line, when they cannot be read)."""
        with priority(Priority.INTERACTIVE):
            db, page = self.sources.page(
                task, watched.gateway, table=table, failure_type=failure_type, limit=limit, offset=offset
            )
        return FailedRowsPage(task, db.endpoint, db.engine, page, table=table)

    def gate_rows(
        self,
        watched: Watched,
        task: Task,
        *,
        failures_after: datetime | None,
        exceptions_after: datetime | None,
    ) -> TargetRows:
        """The cutover gate's counts; what cannot be read is said in ``error`` / ``not_configured``."""
        try:
            return self.sources.gate_rows(
                task, watched.gateway, failures_after=failures_after, exceptions_after=exceptions_after
            )
        except TargetDbError as exc:
            if exc.kind == NOT_CONFIGURED:
                return TargetRows(not_configured=str(exc))
            return TargetRows(error=str(exc))
        except BotError as exc:  # DescribeEndpoints refused, a secret unreadable
            return TargetRows(error=f"the target database could not be found: {exc}")

    def configured(self, watched: Watched, task: Task) -> bool:
        return self.enabled and self.sources.configured(task, watched.gateway)

    def close_idle(self) -> int:
        """Close target pools unused for a while (the scheduler calls this every minute)."""
        return self.sources.close_idle()

    def close(self) -> None:
        self.sources.close()


def _unreadable(verdict: TaskVerdict, why: str) -> TaskVerdict:
    log.warning("failed rows of %s not read: %s", verdict.task.identifier, why)
    return replace(verdict, row_failures=RowFailures(error=why))


def find_task(sweeps: Sweeps, ref: str) -> tuple[Watched, Task]:
    """The task ``ref`` names (identifier or ARN), asked of DMS with a filter; else close names."""
    selection = Selection((ref,))
    for watched in sweeps.watched:
        found = [t for t in watched.gateway.list_tasks(selection) if selection.matches(t)]
        if found:
            return watched, found[0]
    names: Sequence[str] = sorted({task.identifier for _, task in sweeps.list_tasks()})
    close = difflib.get_close_matches(ref, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ConfigError(f"unknown task {ref!r}{hint}")
