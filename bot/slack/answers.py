"""Turn a parsed ``/dms`` command into the message that answers it (questions -> renderers).

Shared by the slash command and the "Share in channel" button, which re-runs the same command
(usually from the cache, so sharing costs no DMS call).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.core.commands import Command
from bot.errors import BotError, DmsThrottled
from bot.questions import Ambiguous, Found, NotFound, Questions
from bot.render import blocks
from bot.render.blocks import SlackMessage

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
        failure.message = blocks.error_message(_throttled(questions, str(exc)))
    except BotError as exc:
        failure.message = blocks.error_message(str(exc))


def answer(command: Command, questions: Questions) -> SlackMessage:
    """The reply to ``command``."""
    with answer_errors(questions) as failed:
        return _answer(command, questions)
    assert failed.message is not None
    return failed.message


def _throttled(questions: Questions, detail: str) -> str:
    last = questions.checker.last_report
    when = f" The last complete sweep is from {last.checked_at:%Y-%m-%d %H:%M} UTC." if last else ""
    return f"DMS is throttling API calls right now, so no fresh data could be fetched.{when} ({detail})"


def _answer(command: Command, questions: Questions) -> SlackMessage:
    if command.name == "help":
        return blocks.help_message(problem=command.problem)
    if command.name in ("status", "check") and command.task is None:
        report = questions.fleet() if command.name == "status" else questions.recheck(None)
        return blocks.fleet_message(report)
    found = questions.find(command.task or "")
    if isinstance(found, NotFound):
        return blocks.unknown_task_message(found.name, found.suggestions)
    if isinstance(found, Ambiguous):
        return blocks.ambiguous_task_message(found.name, found.candidates)
    return _about_task(command, questions, found)


def _about_task(command: Command, questions: Questions, found: Found) -> SlackMessage:
    if command.name == "tables":
        page = questions.tables(found, state=command.state, page=0)
        return blocks.tables_message(
            page.task,
            page.tables,
            state=page.state,
            page=page.page,
            page_size=page.page_size,
            total=page.total,
        )
    outcome = questions.status(found, fresh=command.name == "check")
    return blocks.task_message(outcome)
