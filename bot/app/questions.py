"""Questions: what people ask from Slack (status, tables, history, the Home tab), answered as data;
rendering is someone else's job.

Interactive calls run at INTERACTIVE priority, so they go ahead of a sweep waiting for DMS tokens,
and anything younger than ``cache_ttl`` is answered without a DMS call at all.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.app.failed_rows import NOT_CONFIGURED, FailedRowsPage
from bot.app.sweeps import Sweeps, Watched
from bot.aws.budget import Priority, priority
from bot.core.alerts import TaskAlert
from bot.core.evaluate import classify_table
from bot.core.models import Report, TableStats, Task, TaskError, TaskVerdict, Verdict
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.core.selectors import Selection, resolve
from bot.core.slash import PROBLEMS, split_table
from bot.errors import DmsError, DmsThrottled, TargetDbError
from bot.store.base import Store

_TABLE_CACHE_SIZE = 8
FAILURES_PAGE_SIZE = 10
NO_DATABASES = "no target database is configured for row-level failures: see [[databases]] in the README"


@dataclass(frozen=True, slots=True)
class Found:
    watched: Watched
    task: Task


@dataclass(frozen=True, slots=True)
class NotFound:
    name: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ambiguous:
    name: str
    candidates: tuple[str, ...]


Lookup = Found | NotFound | Ambiguous


@dataclass(frozen=True, slots=True)
class ListingProblem:
    """Why DMS listed no task: it throttled us, or refused (``detail`` is its one-line reason)."""

    throttled: bool
    detail: str


@dataclass(frozen=True, slots=True)
class History:
    rows: list[VerdictRow]
    timezone: str


@dataclass(frozen=True, slots=True)
class Home:
    """What the Home tab shows: every task's latest verdict, alerts, snoozes, the last sweep."""

    verdicts: list[VerdictRow]
    alerts: list[TaskAlert]
    snoozes: dict[str, Snooze]
    last_sweep: SweepRow | None
    now: datetime


@dataclass(frozen=True, slots=True)
class TablesPage:
    task: Task
    tables: tuple[TableStats, ...]
    state: str | None
    page: int
    page_size: int
    total: int
    as_of: datetime


class Questions:
    """What ``/dms`` and the buttons need, built on the sweep service."""

    def __init__(
        self,
        sweeps: Sweeps,
        *,
        store: Store,
        clock: Callable[[], datetime],
        timezone: str = "UTC",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timezone = timezone  # the channels' (schedule.timezone): charts show local times
        self.sweeps = sweeps
        self.store = store
        self.clock = clock
        self._monotonic = monotonic
        self._tables: OrderedDict[str, tuple[float, datetime, list[TableStats]]] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, name: str) -> Lookup:
        """A task by identifier, ARN or unique prefix; the listing is refreshed once on a miss."""
        known = self.sweeps.known_tasks()
        listed = not known
        if listed:
            known = self.sweeps.list_tasks(Priority.INTERACTIVE)
        answer = _lookup(name, known)
        if isinstance(answer, NotFound) and not listed:
            answer = _lookup(name, self.sweeps.list_tasks(Priority.INTERACTIVE))
        return answer

    def status(self, found: Found, *, fresh: bool = False) -> TaskVerdict | TaskError:
        """The task's verdict: from the cache when young enough, else one fresh check."""
        if not fresh:
            cached = self.sweeps.cached(found.task.arn)
            if cached is not None:
                return cached
        report = self.sweeps.sweep(only=(found.task.arn,), level=Priority.INTERACTIVE)
        outcomes: Sequence[TaskVerdict | TaskError] = report.tasks or report.errors
        if outcomes:
            return outcomes[0]
        return TaskError(
            found.watched.target.name, found.task.identifier, "task no longer exists", found.task.arn
        )

    def cached(self, arn: str) -> TaskVerdict | None:
        """The task's verdict if a recent check knows it (no DMS call)."""
        return self.sweeps.cached(arn)

    def last_report(self) -> Report | None:
        return self.sweeps.last_report

    def last_verdict(self, arn: str) -> TaskVerdict | None:
        """The task's verdict in the last sweep, whatever its age."""
        last = self.sweeps.last_report
        return next((v for v in last.tasks if v.task.arn == arn), None) if last else None

    def verdicts(self, arns: Sequence[str]) -> tuple[list[TaskVerdict], list[TaskError]]:
        """Cached verdicts where fresh enough; one re-check for the rest (and what it could not check)."""
        cached = {arn: self.sweeps.cached(arn) for arn in arns}
        missing = [arn for arn, v in cached.items() if v is None]
        report = self.recheck(missing) if missing else None
        fresh = {v.task.arn: v for v in report.tasks} if report else {}
        out = [cached[arn] or fresh.get(arn) for arn in arns]
        return [v for v in out if v is not None], list(report.errors) if report else []

    def history(self, task: Task, *, sweeps: int) -> History:
        """The task's last ``sweeps`` verdicts, oldest first, and the zone to show their times in."""
        return History(self.store.task_history(task.arn, limit=sweeps), self.timezone)

    def home(self) -> Home:
        now = self.clock()
        store = self.store
        return Home(
            store.latest_verdicts(), store.list_alerts(), store.active_snoozes(now), store.last_sweep(), now
        )

    def listing_problem(self) -> ListingProblem | None:
        """Why a name matched nothing when the bot knows no task at all: DMS may not have listed them."""
        if self.sweeps.known_tasks():
            return None
        for watched in self.sweeps.watched:
            try:
                with priority(Priority.INTERACTIVE):
                    watched.gateway.list_tasks(Selection(watched.target.tasks))
            except DmsThrottled as exc:
                return ListingProblem(throttled=True, detail=str(exc))
            except DmsError as exc:
                return ListingProblem(throttled=False, detail=str(exc))
        return None

    def fleet(self) -> Report:
        """The last sweep (whatever its age: the message says when), or a sweep now if there is none."""
        return self.sweeps.last_report or self.sweeps.sweep(level=Priority.INTERACTIVE)

    def recheck(self, arns: Sequence[str] | None) -> Report:
        """A fresh check of these tasks (all watched tasks when None), ahead of any running sweep."""
        if arns is None:
            return self.sweeps.sweep(level=Priority.INTERACTIVE)
        return self.sweeps.sweep(only=tuple(arns), level=Priority.INTERACTIVE)

    def is_watched(self, arn: str) -> bool:
        """Button values are untrusted: only tasks the bot watches may be acted on.

        Buttons only name tasks a listing showed, so DMS is asked only before the first listing:
        a forged value cannot make the bot spend DMS calls.
        """
        known = self.sweeps.known_tasks()
        if any(t.arn == arn for _, t in known):
            return True
        return not known and any(t.arn == arn for _, t in self.sweeps.list_tasks(Priority.INTERACTIVE))

    def tables(self, found: Found, *, state: str | None, page: int, page_size: int = 20) -> TablesPage:
        """One page of the task's tables, optionally only those in ``state`` (or all problem tables)."""
        as_of, tables = self._all_tables(found)
        chosen = [t for t in tables if _wanted(t, state)]
        pages = max(1, -(-len(chosen) // page_size))
        page = min(max(page, 0), pages - 1)
        window = tuple(chosen[page * page_size : (page + 1) * page_size])
        return TablesPage(found.task, window, state, page, page_size, len(chosen), as_of)

    def failures(
        self, found: Found, *, table: str | None, page: int, page_size: int = FAILURES_PAGE_SIZE
    ) -> FailedRowsPage:
        """One page of the task's failed rows, newest first, optionally of one ``schema.table``.

        TargetDbError (one line) when they cannot be read, or when no database is configured at all:
        a database that cannot be read is said, never shown as an empty list.
        """
        failed_rows = self.sweeps.failed_rows
        if failed_rows is None:
            raise TargetDbError(NO_DATABASES, kind=NOT_CONFIGURED)
        wanted = split_table(table) if table is not None else None
        if table is not None and wanted is None:
            raise TargetDbError(f"{table[:60]!r} is not a schema.table name", kind="error")
        size = max(page_size, 1)
        number = max(page, 0)

        def ask(n: int) -> FailedRowsPage:
            return failed_rows.page(found.watched, found.task, table=wanted, limit=size, offset=n * size)

        answer = ask(number)
        last = max(0, -(-answer.page.total // size) - 1)
        if number > last:  # fewer rows than when the button was made: show the last page there is
            number = last
            answer = ask(number)
        return replace(answer, number=number, per_page=size)

    def _all_tables(self, found: Found) -> tuple[datetime, list[TableStats]]:
        arn = found.task.arn
        with self._lock:
            hit = self._tables.get(arn)
            if hit and self._monotonic() - hit[0] <= self.sweeps.cache_ttl:
                self._tables.move_to_end(arn)
                return hit[1], hit[2]
        with priority(Priority.INTERACTIVE):
            tables = list(found.watched.gateway.table_stats(arn))
        as_of = self.clock()
        with self._lock:
            self._tables[arn] = (self._monotonic(), as_of, tables)
            while len(self._tables) > _TABLE_CACHE_SIZE:
                self._tables.popitem(last=False)
        return as_of, tables


def _lookup(name: str, known: Sequence[tuple[Watched, Task]]) -> Lookup:
    task, candidates = resolve(name, [t for _, t in known])
    if task is not None:
        return Found(next(w for w, t in known if t.arn == task.arn), task)
    if len(candidates) > 1:
        return Ambiguous(name, tuple(sorted(t.identifier for t in candidates)))
    names = sorted({t.identifier for _, t in known})
    return NotFound(name, tuple(difflib.get_close_matches(name, names, n=3, cutoff=0.5)))


def _wanted(table: TableStats, state: str | None) -> bool:
    if state is None:
        return True
    if state == PROBLEMS:
        return classify_table(table)[0] is not Verdict.OK
    return (table.validation_state or "").casefold() == state.casefold()
