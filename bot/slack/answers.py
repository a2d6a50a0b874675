"""Turn a parsed ``/dms`` command into the message that answers it (questions -> renderers).

Shared by the slash command and the "Share in channel" button, which re-runs the same command
(usually from the cache, so sharing costs no DMS call).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from bot.app.cutover_watch import CutoverWatches
from bot.app.questions import Ambiguous, Found, NotFound, Questions
from bot.core.durations import parse_duration
from bot.core.models import TaskError
from bot.core.slash import Command
from bot.errors import THROTTLING_CODES, BotError, DmsThrottled, TargetDbError
from bot.render.failures import failures_message
from bot.render.help import (
    ambiguous_task_message,
    cannot_list,
    dms_throttled,
    error_message,
    help_message,
    showing_last_sweep,
    unknown_task_message,
)
from bot.render.kit import SlackMessage
from bot.render.ready import (
    already_watching_message,
    ready_message,
    step_ambiguous_task,
    step_failure,
    step_outputs,
    step_unknown_task,
    watching_now_message,
)
from bot.render.report import fleet_message
from bot.render.task import tables_message, task_message

log = logging.getLogger(__name__)


class Failure:
    """Filled by :func:`answer_errors` when the guarded block raised a BotError."""

    message: SlackMessage | None = None


@contextlib.contextmanager
def answer_errors(questions: Questions) -> Iterator[Failure]:
    """DMS trouble inside the block becomes an honest, short message instead of an exception."""
    failure = Failure()
    try:
        yield failure
    except DmsThrottled as exc:
        failure.message = error_message(_throttled(questions, str(exc)))
    except BotError as exc:
        failure.message = error_message(str(exc))


def answer(command: Command, questions: Questions) -> SlackMessage:
    """The reply to ``command``."""
    with answer_errors(questions) as failed:
        return _answer(command, questions)
    assert failed.message is not None
    return failed.message


def _throttled(questions: Questions, detail: str) -> str:
    last = questions.last_report()
    return dms_throttled(last.checked_at if last else None, detail)


def throttled_answer(questions: Questions, error: TaskError) -> SlackMessage | None:
    """For a check DMS throttled: the task's verdict from the last sweep, labelled as such (its
    time is in the footer), or the plain "DMS is throttling" line. None for any other error."""
    if error.kind not in THROTTLING_CODES:
        return None
    previous = questions.last_verdict(error.task_arn) if error.task_arn else None
    if previous is not None:
        return task_message(previous, note=showing_last_sweep())
    return error_message(_throttled(questions, error.error))


def _listing_trouble(questions: Questions) -> SlackMessage | None:
    """Why a name matched nothing when the bot knows no task at all: DMS may not have listed them."""
    problem = questions.listing_problem()
    if problem is None:
        return None
    if problem.throttled:
        return error_message(_throttled(questions, problem.detail))
    return error_message(cannot_list(problem.detail))


def _answer(command: Command, questions: Questions) -> SlackMessage:
    if command.name == "help":
        return help_message(problem=command.problem)
    if command.name in ("status", "check") and command.task is None:
        report = questions.fleet() if command.name == "status" else questions.recheck(None)
        return fleet_message(report)
    found = questions.find(command.task or "")
    if isinstance(found, NotFound):
        return _listing_trouble(questions) or unknown_task_message(found.name, found.suggestions)
    if isinstance(found, Ambiguous):
        return ambiguous_task_message(found.name, found.candidates)
    return _about_task(command, questions, found)


def failures_answer(questions: Questions, found: Found, *, table: str | None, page: int) -> SlackMessage:
    """``/dms failures``, the Failed rows button and its pages: one page, or one honest error line."""
    with answer_errors(questions) as failed:
        return _failures(questions, found, table=table, page=page)
    assert failed.message is not None
    return failed.message


def _failures(questions: Questions, found: Found, *, table: str | None, page: int) -> SlackMessage:
    try:
        answer = questions.failures(found, table=table, page=page)
    except TargetDbError as exc:
        return error_message(f"Failed rows of {found.task.identifier} could not be read: {exc}")
    return failures_message(
        answer.task,
        endpoint=answer.endpoint,
        engine=answer.engine,
        page=answer.page,
        number=answer.number,
        per_page=answer.per_page,
        table=answer.table,
    )


def _about_task(command: Command, questions: Questions, found: Found) -> SlackMessage:
    if command.name == "failures":
        return _failures(questions, found, table=command.table, page=0)
    if command.name == "tables":
        page = questions.tables(found, state=command.state, page=0)
        return tables_message(
            page.task,
            page.tables,
            state=page.state,
            page=page.page,
            page_size=page.page_size,
            total=page.total,
        )
    outcome = questions.status(found, fresh=command.name == "check")
    if isinstance(outcome, TaskError):
        return throttled_answer(questions, _with_arn(outcome, found)) or task_message(outcome)
    return task_message(outcome)


def _with_arn(error: TaskError, found: Found) -> TaskError:
    """A listing error names no task; this one was about ``found``."""
    if error.task_arn:
        return error
    return TaskError(error.target, found.task.identifier, error.error, found.task.arn, error.kind)


NO_GATE = "The cutover gate is not available in this bot."
NO_CHANNEL = "A watch posts in a channel: run `/dms ready <task> watch` in one the bot is in."


def ready_answer(
    command: Command,
    questions: Questions,
    cutover: CutoverWatches | None,
    *,
    user: str | None,
    channel: str | None,
) -> SlackMessage:
    """``/dms ready TASK [watch]``: every check (blockers first), or the watch started (or running)."""
    with answer_errors(questions) as failed:
        found = questions.find(command.task or "")
        if isinstance(found, NotFound):
            return _listing_trouble(questions) or unknown_task_message(found.name, found.suggestions)
        if isinstance(found, Ambiguous):
            return ambiguous_task_message(found.name, found.candidates)
        return ready_for(found, cutover, watch=command.watch, user=user, channel=channel)
    assert failed.message is not None
    return failed.message


def ready_for(
    found: Found, cutover: CutoverWatches | None, *, watch: bool, user: str | None, channel: str | None
) -> SlackMessage:
    """The gate's answer for one task, and with ``watch`` a watch on it (BotErrors propagate)."""
    if cutover is None:
        return error_message(NO_GATE)
    readiness = cutover.assess(found.task.arn)
    if not watch:
        running = cutover.watching(readiness.task_arn)
        if running is None:
            return ready_message(readiness)
        return ready_message(
            readiness, watched_by=running.started_by, since=running.started_at, until=running.expires_at
        )
    if not channel or not user:
        return error_message(NO_CHANNEL)
    started = cutover.watch(readiness, channel=channel, user=user)
    w = started.watch
    if started.new:
        return watching_now_message(task_id=w.task_id, until=w.expires_at)
    return already_watching_message(
        task_id=w.task_id, started_by=w.started_by, since=w.started_at, until=w.expires_at
    )


STEP_TASK_MAX = 300


def step_outcome(
    inputs: Mapping[str, Any], questions: Questions, cutover: CutoverWatches | None
) -> dict[str, Any] | str:
    """The ``dms_cutover_gate`` workflow step's outputs, or the one sentence it fails with."""
    if cutover is None:
        return step_failure("The cutover gate is not available in this DMS bot.")
    task = inputs.get("task")
    if not isinstance(task, str) or not task.strip() or len(task) > STEP_TASK_MAX:
        return step_failure("The step needs a task: a DMS task identifier, ARN or unique prefix.")
    max_lag = _max_lag(inputs.get("max_lag"))
    if isinstance(max_lag, str):
        return max_lag
    try:
        found = questions.find(task.strip())
        if isinstance(found, NotFound):
            return step_unknown_task(found.name, found.suggestions)
        if isinstance(found, Ambiguous):
            return step_ambiguous_task(found.name, found.candidates)
        readiness = cutover.assess(found.task.arn, max_lag=max_lag)
    except BotError as exc:
        return step_failure(f"The cutover gate could not judge {task.strip()}: {exc}")
    lag = cutover.max_lag if max_lag is None else max_lag
    return step_outputs(readiness, max_lag=lag, steady=cutover.steady)


def _max_lag(raw: object) -> float | str | None:
    """Seconds (``0s`` is AWS's letter: lag at zero), None when not given, or why it is no duration."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_duration(raw)
    except ValueError:
        return step_failure(f"max_lag '{str(raw)[:40]}' is not a duration like '5s' or '1m'.")
