"""Turn a parsed ``/dms`` command into the message that answers it (questions -> renderers).

Shared by the slash command and the "Share in channel" button, which re-runs the same command
(usually from the cache, so sharing costs no DMS call).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.app.questions import Ambiguous, Found, NotFound, Questions
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
