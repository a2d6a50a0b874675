"""Orchestration only: list tasks per target, fetch statistics, hand them to the pure core.

A sweep makes the floor of DMS calls: ``ceil(tasks/100)`` listing calls (fewer with filters) and
``ceil(tables/500)`` statistics calls per task, nothing twice. One task's failure becomes an
``errors`` entry and the sweep goes on.
"""

from __future__ import annotations

import difflib
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

from bot.app.failed_rows import FailedRows
from bot.app.lag import fetch_lag
from bot.app.listing import serverless_unlisted
from bot.aws.budget import PoolSizer, Priority, priority, thread_usage
from bot.aws.cloudwatch import CloudWatchGateway
from bot.aws.dms import DmsGateway
from bot.core.evaluate import evaluate
from bot.core.latency import with_latency
from bot.core.models import CdcLatency, Policy, Report, Task, TaskError, TaskVerdict
from bot.core.selectors import Selection
from bot.errors import BotError, DmsError
from bot.settings import Target

Progress = Callable[[int, int], None]
Outcome = TaskVerdict | TaskError


@dataclass(frozen=True, slots=True)
class Watched:
    """A target and the gateway that reaches it."""

    target: Target
    gateway: DmsGateway
    cloudwatch: CloudWatchGateway | None = None  # None: CDC lag is not read for this target


@dataclass(frozen=True, slots=True)
class Job:
    index: int
    watched: Watched
    task: Task
    latency: CdcLatency | None = None


class Sweeps:
    """Sweep every watched target, check one task, and keep the last report.

    Without a ``sizer`` a sweep keeps ``workers`` tasks in flight; with one, the number follows the
    DMS budgets and the call latency measured as the sweep goes (see :class:`PoolSizer`).
    """

    def __init__(
        self,
        watched: Sequence[Watched],
        *,
        policy: Policy,
        clock: Callable[[], datetime],
        workers: int = 4,
        cache_ttl: float,
        monotonic: Callable[[], float] = time.monotonic,
        sizer: PoolSizer | None = None,
        failed_rows: FailedRows | None = None,
    ) -> None:
        self.watched = tuple(watched)
        self.policy = policy
        self.clock = clock
        self.workers = max(1, workers)
        self.sizer = sizer
        self.failed_rows = failed_rows  # attaches problem tables' failed rows, when databases are set
        self.cache_ttl = cache_ttl
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, TaskVerdict]] = {}
        self._tasks: dict[str, tuple[Watched, Task]] = {}
        self._lock = threading.Lock()
        self.last_report: Report | None = None

    def sweep(
        self,
        *,
        only: Sequence[str] = (),
        progress: Progress | None = None,
        level: Priority = Priority.SWEEP,
    ) -> Report:
        """Check every watched task (or those matching ``only``) once."""
        started, checked_at = self._monotonic(), self.clock()
        jobs: list[Job] = []
        errors: list[TaskError] = []
        with priority(level):
            for watched in self.watched:
                found, problems = self._list(watched, only)
                lag, lag_error = fetch_lag(watched, found)
                errors.extend([*problems, lag_error] if lag_error else problems)
                base = len(jobs)
                jobs.extend(Job(base + i, watched, t, lag.get(t.arn)) for i, t in enumerate(found))
        outcomes = self._run(_interleaved(jobs), level=level, progress=progress)
        verdicts = [o for o in outcomes if isinstance(o, TaskVerdict)]
        errors.extend(o for o in outcomes if isinstance(o, TaskError))
        report = Report(
            checked_at=checked_at,
            tasks=tuple(verdicts),
            errors=tuple(errors),
            duration_seconds=self._monotonic() - started,
        )
        if not only:
            self.last_report = report
        return report

    def _list(self, watched: Watched, only: Sequence[str]) -> tuple[list[Task], list[TaskError]]:
        target = watched.target
        configured = Selection(target.tasks)
        narrowed = Selection(tuple(only))
        listing = narrowed if configured.everything and only else configured
        try:
            found = watched.gateway.list_watched(listing)
        except DmsError as exc:
            return [], [TaskError(target=target.name, task_id=None, error=str(exc), kind=exc.code)]
        tasks = [t for t in found.tasks if narrowed.matches(t)]
        with self._lock:
            for task in tasks:
                self._tasks[task.arn] = (watched, task)
        if found.serverless_error is not None:  # a selector may name a replication it could not see
            return tasks, [serverless_unlisted(target, found.serverless_error)]
        problems = [
            TaskError(
                target=target.name,
                task_id=sel,
                error=f"no replication task matches {sel!r}",
                kind="not_found",
            )
            for sel in configured.unmatched(tasks)
            if not only
        ]
        return tasks, problems

    def _run(self, jobs: list[Job], *, level: Priority, progress: Progress | None) -> list[Outcome]:
        """Run the jobs, keeping as many in flight as the pool size says (re-read as each one ends)."""
        results: list[Outcome | None] = [None] * len(jobs)
        queue = iter(jobs)
        running: dict[Future[Outcome], Job] = {}
        done = 0
        if progress:
            progress(0, len(jobs))
        ceiling = self.sizer.ceiling if self.sizer else self.workers
        with ThreadPoolExecutor(max_workers=ceiling, thread_name_prefix="dms-sweep") as pool:
            while True:
                wanted = self.sizer.size() if self.sizer else self.workers
                for job in itertools.islice(queue, max(0, wanted - len(running))):
                    running[pool.submit(self._check, job, level)] = job
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    results[running.pop(future).index] = future.result()
                    done += 1
                    if progress:
                        progress(done, len(jobs))
        return [r for r in results if r is not None]

    def _check(self, job: Job, level: Priority) -> Outcome:
        calls, waited = thread_usage()
        started = self._monotonic()
        with priority(level):
            outcome = self.check(job.watched, job.task, latency=job.latency)
        if self.sizer is not None:
            calls_after, waited_after = thread_usage()
            busy = self._monotonic() - started - (waited_after - waited)
            self.sizer.observe(calls_after - calls, busy)
        return outcome

    def check(self, watched: Watched, task: Task, *, latency: CdcLatency | None = None) -> Outcome:
        """Fetch one task's statistics and judge them with its CDC lag; a DMS failure becomes a TaskError."""
        try:
            verdict = evaluate(
                task,
                watched.gateway.table_stats(task.arn),
                now=self.clock(),
                policy=self.policy,
                target=watched.target.name,
            )
            verdict = with_latency(verdict, latency, self.policy)
            if self.failed_rows is not None:
                verdict = self.failed_rows.attach(watched, verdict)
        except BotError as exc:
            code = getattr(exc, "code", "error")
            return TaskError(
                target=watched.target.name,
                task_id=task.identifier,
                task_arn=task.arn,
                error=str(exc),
                kind=code,
            )
        with self._lock:
            self._cache[task.arn] = (self._monotonic(), verdict)
        return verdict

    def cached(self, arn: str) -> TaskVerdict | None:
        """A verdict younger than ``cache_ttl``, if any: answers without a DMS call."""
        with self._lock:
            hit = self._cache.get(arn)
        if hit and self._monotonic() - hit[0] <= self.cache_ttl:
            return hit[1]
        return None

    def list_tasks(self, level: Priority = Priority.INTERACTIVE) -> list[tuple[Watched, Task]]:
        """Every watched task, listed now (one listing per target); unreachable targets are skipped."""
        found: list[tuple[Watched, Task]] = []
        with priority(level):
            for watched in self.watched:
                tasks, _ = self._list(watched, ())
                found.extend((watched, t) for t in tasks)
        return found

    def known_tasks(self) -> list[tuple[Watched, Task]]:
        """Tasks seen by the last listing (for name lookups), in target then name order."""
        with self._lock:
            return sorted(self._tasks.values(), key=lambda wt: (wt[0].target.name, wt[1].identifier))

    def listed_nothing(self, report: Report) -> bool:
        """No watched target could even be listed: DMS was not reached at all."""
        listing_errors = {e.target for e in report.errors if e.unlisted}
        return bool(self.watched) and listing_errors == {w.target.name for w in self.watched}

    def unmatched(self, refs: Sequence[str], report: Report) -> list[tuple[str, list[str]]]:
        """The task references a report found nothing for, each with close names (typos).

        Empty when a listing failed: a typo cannot then be told from an unreachable target.
        """
        if not refs or any(e.unlisted for e in report.errors):
            return []
        missing = [ref for ref in refs if not _covers(ref, report)]
        if not missing:
            return []
        names = sorted({task.identifier for _, task in self.list_tasks()})
        return [(ref, difflib.get_close_matches(ref, names, n=3)) for ref in missing]


def _covers(ref: str, report: Report) -> bool:
    selection = Selection((ref,))
    return any(selection.matches(v.task) for v in report.tasks) or any(
        ref == e.task_arn or (e.task_id and selection.matches_identifier(e.task_id)) for e in report.errors
    )


def _interleaved(jobs: list[Job]) -> list[Job]:
    """Targets take turns, so a sweep spends every (account, region) budget at once, not one by one."""
    by_target: dict[int, list[Job]] = {}
    for job in jobs:
        by_target.setdefault(id(job.watched), []).append(job)
    rounds = itertools.zip_longest(*by_target.values())
    return [job for job in itertools.chain.from_iterable(rounds) if job is not None]
