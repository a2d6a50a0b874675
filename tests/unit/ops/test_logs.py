"""JSON logs: one object per line for everything the process says, secrets scrubbed."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import warnings
from collections.abc import Iterator

import pytest

from bot.ops.logs import MASK, setup_logging
from bot.settings import Secret, Settings, SlackSettings, WebhookSettings

TOKEN = "xoxb-very-secret-token-123"
HOOK = "https://hooks.example.com/T000/B000/hook-secret-456"
SETTINGS = Settings(
    log_format="json",
    slack=SlackSettings(bot_token=Secret(TOKEN)),
    webhook=WebhookSettings(url=Secret(HOOK)),
)


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Logging set up on a string stream; global logging state and hooks restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, threading.excepthook, sys.excepthook, sys.unraisablehook)
    out = io.StringIO()
    setup_logging(SETTINGS, stream=out)
    yield out
    root.handlers[:], level, threading.excepthook, sys.excepthook, sys.unraisablehook = saved
    root.setLevel(level)
    logging.captureWarnings(False)


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_records_are_single_json_lines_with_secrets_masked(stream: io.StringIO) -> None:
    """A multi-line message with secrets in its args is one JSON object, secrets replaced."""
    logging.getLogger("bot.test").warning("posting to %s with %s\nsecond line", HOOK, TOKEN)
    [doc] = lines(stream)
    assert doc["level"] == "warning" and doc["logger"] == "bot.test"
    assert doc["message"] == f"posting to {MASK} with {MASK}\nsecond line"
    assert TOKEN not in stream.getvalue() and HOOK not in stream.getvalue()


def test_exceptions_are_kept_in_the_same_line_and_scrubbed(stream: io.StringIO) -> None:
    """logger.exception puts the traceback in an ``exception`` field, secrets masked."""
    try:
        raise RuntimeError(f"token {TOKEN} rejected")
    except RuntimeError:
        logging.getLogger("bot.test").exception("call failed")
    [doc] = lines(stream)
    assert "RuntimeError: token ******** rejected" in doc["exception"]
    assert TOKEN not in stream.getvalue()


def test_uncaught_exception_in_a_thread_is_a_json_record(stream: io.StringIO) -> None:
    """threading.excepthook routes a thread's crash through the scrubbed JSON handler."""

    def crash() -> None:
        raise ValueError(f"webhook {HOOK} exploded")

    thread = threading.Thread(target=crash, name="doomed")
    thread.start()
    thread.join()
    [doc] = lines(stream)
    assert doc["logger"] == "bot.crash" and "thread doomed" in doc["message"]
    assert "ValueError: webhook ******** exploded" in doc["exception"]


def test_warnings_and_library_loggers_go_through_the_same_handler(stream: io.StringIO) -> None:
    """Python warnings and third-party loggers (waitress, slack_bolt) come out as JSON too."""
    warnings.warn("something deprecated", DeprecationWarning, stacklevel=1)
    logging.getLogger("waitress").warning("Task queue depth is 5")
    logging.getLogger("waitress").info("Serving on http://0.0.0.0:3000")  # quiet below WARNING
    logging.getLogger("slack_bolt.App").warning("Unhandled request")
    docs = lines(stream)
    assert [d["logger"] for d in docs] == ["py.warnings", "waitress", "slack_bolt.App"]
    assert "something deprecated" in docs[0]["message"]


def test_text_format_stays_plain(stream: io.StringIO) -> None:
    """With the default format, lines are plain text (and still scrubbed)."""
    out = io.StringIO()
    setup_logging(Settings(slack=SlackSettings(bot_token=Secret(TOKEN))), stream=out)
    logging.getLogger("bot.test").info("token is %s", TOKEN)
    text = out.getvalue()
    assert text.endswith(f"INFO bot.test: token is {MASK}\n")
    assert not text.startswith("{")
