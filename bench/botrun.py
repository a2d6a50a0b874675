"""The bot's side of a fleet run (inside a fresh worker process): the real sweep, with questions.

``build_sweeps`` + ``Sweeps.sweep`` run exactly as in ``dms-bot check``; meanwhile another thread
asks ``Questions.status(found, fresh=True)`` (what ``/dms check <task>`` does) at even intervals, so
the figures show what a person waits for while the sweep holds the budget.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import boto3

from bench.plan import BURST, RATE, SEED
from bot.app.questions import Found, Questions
from bot.app.sweeps import Sweeps
from bot.app.wiring import CALL_LATENCY, build_sweeps
from bot.aws.budget import Priority, TokenBucket, pool_size
from bot.core.models import Policy, Report, TaskError
from bot.settings import ApiBudget, DmsApiSettings, Settings, Target
from bot.store.sql import SqlStore

REGION = "eu-west-1"


@dataclass(frozen=True, slots=True)
class BotJob:
    url: str
    tasks: int
    tables: int
    time_scale: float
    questions: int
    floor_calls: int
    adaptive: bool = True  # False: the fixed pool sized on a 0.5 s guess, as before measuring


@dataclass(slots=True)
class Question:
    started: float  # seconds after the sweep started
    seconds: float
    waited: float  # of which: waiting for the bot's own tokens
    calls: int
    mid_sweep: bool
    outcome: str


@dataclass(slots=True)
class BotRun:
    sweep_seconds: float
    sweep_calls: int  # tokens taken at SWEEP priority: one per HTTP attempt, retries included
    question_calls_in_sweep: int  # tokens the questions took before the sweep ended
    question_calls: int
    tasks_checked: int
    errors: dict[str, int]
    surfaced_throttles: int
    initial_workers: int
    measured_latency: float | None  # the pool's measured seconds per call at the end (scaled run)
    questions: list[Question] = field(default_factory=list)


def sim_session(target: Target | None = None) -> boto3.Session:
    """A session with the simulator's dummy key (it checks no signature); never this machine's."""
    return boto3.Session(
        aws_access_key_id="sim",
        aws_secret_access_key="sim",  # noqa: S106 - a placeholder the simulator ignores
        region_name=REGION,
    )


def bench_checker(job: BotJob) -> Sweeps:
    """The production composition root, with the budget scaled like the simulator's clock."""
    scale = job.time_scale
    settings = Settings(
        targets=(Target(name="bench", region=REGION),),
        dms_api=DmsApiSettings(budget=ApiBudget(rate=RATE * scale, burst=BURST)),
        policy=Policy(stuck_after=None),
    )
    guess = CALL_LATENCY / scale  # the latency guess, in the run's scaled seconds
    checker = build_sweeps(
        settings,
        session_factory=sim_session,
        endpoint_url=job.url,
        clock=lambda: datetime.now(UTC),
        call_latency=guess,
    )
    if not job.adaptive:
        checker.sizer = None
        checker.workers = pool_size(settings.dms_api.budget, call_latency=guess)
    return checker


def run_bot(job: BotJob) -> BotRun:
    checker = bench_checker(job)
    bucket = checker.watched[0].gateway.budget
    assert bucket is not None
    asker = _Asker(checker, bucket, job)
    initial = checker.workers
    asker.start()
    started = time.monotonic()
    report = checker.sweep()
    sweep_seconds = time.monotonic() - started
    in_sweep = bucket.acquired_by[Priority.INTERACTIVE]
    asker.sweep_done.set()
    asker.join()
    return BotRun(
        sweep_seconds=sweep_seconds,
        sweep_calls=bucket.acquired_by[Priority.SWEEP],
        question_calls_in_sweep=in_sweep,
        question_calls=bucket.acquired_by[Priority.INTERACTIVE],
        tasks_checked=len(report.tasks),
        errors=_error_kinds(report),
        surfaced_throttles=_throttles(report) + sum(q.outcome == "ThrottlingException" for q in asker.asked),
        initial_workers=initial,
        measured_latency=checker.sizer.latency if checker.sizer else None,
        questions=asker.asked,
    )


class _Asker(threading.Thread):
    """Asks ``job.questions`` fresh statuses, one at a time, spread over the sweep's floor time."""

    def __init__(self, checker: Sweeps, bucket: TokenBucket, job: BotJob) -> None:
        super().__init__(name="bench-questions", daemon=True)
        self.checker, self.bucket, self.job = checker, bucket, job
        self.questions = Questions(checker, store=SqlStore(":memory:"), clock=checker.clock)
        self.sweep_done = threading.Event()
        self.asked: list[Question] = []

    def run(self) -> None:
        started = time.monotonic()
        known = self._wait_for_listing()
        rate = RATE * self.job.time_scale
        spread = max(0.0, self.job.floor_calls - BURST) / rate  # the sweep's floor time
        rng = random.Random(SEED)
        for i in range(self.job.questions):
            due = started + spread * (i + 1) / (self.job.questions + 1)
            time.sleep(max(0.0, due - time.monotonic()))
            self.asked.append(self._ask(rng.choice(known), started))

    def _wait_for_listing(self) -> list[Found]:
        while not self.checker.known_tasks():
            time.sleep(0.005)
        return [Found(w, t) for w, t in self.checker.known_tasks()]

    def _ask(self, found: Found, sweep_started: float) -> Question:
        calls = self.bucket.acquired_by[Priority.INTERACTIVE]
        waited = self.bucket.waited_by[Priority.INTERACTIVE]
        mid_sweep = not self.sweep_done.is_set()
        began = time.monotonic()
        outcome = self.questions.status(found, fresh=True)
        seconds = time.monotonic() - began
        return Question(
            started=began - sweep_started,
            seconds=seconds,
            waited=self.bucket.waited_by[Priority.INTERACTIVE] - waited,
            calls=self.bucket.acquired_by[Priority.INTERACTIVE] - calls,
            mid_sweep=mid_sweep,
            outcome=outcome.kind if isinstance(outcome, TaskError) else outcome.verdict.name,
        )


def _error_kinds(report: Report) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for error in report.errors:
        kinds[error.kind] = kinds.get(error.kind, 0) + 1
    return kinds


def _throttles(report: Report) -> int:
    return sum(1 for e in report.errors if e.kind == "ThrottlingException")
