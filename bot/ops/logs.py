"""Logging for ``serve``: plain text or one JSON object per line, secrets scrubbed from every record.

Everything the process says goes through the one root handler: the bot's own loggers, waitress,
Bolt and slack_sdk (they log to standard loggers that propagate to the root), Python warnings
(``logging.captureWarnings``), and uncaught exceptions in the main thread, in other threads
(``threading.excepthook``) and in finalizers (``sys.unraisablehook``), which Python would otherwise
print as raw multi-line tracebacks, unscrubbed, straight to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from bot.settings import Settings

MASK = "********"
QUIET = ("botocore", "urllib3", "slack_sdk.socket_mode", "waitress")  # their INFO is noise for operators


class RedactSecrets(logging.Filter):
    """Replaces any configured secret value in a record's final message (args included)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.scrub(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, newlines escaped, so a traceback is still a single line."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "thread": record.threadName,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            doc["exception"] = record.exc_text
        if record.stack_info:
            doc["stack"] = record.stack_info
        return json.dumps(doc, ensure_ascii=False)


def setup_logging(settings: Settings, *, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """Route everything to one scrubbed handler on ``stream`` (stderr), in the configured format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactSecrets(settings.secrets()))
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    install_exception_hooks()


def install_exception_hooks() -> None:
    """Uncaught exceptions anywhere become one (scrubbed, formatted) log record."""
    crash = logging.getLogger("bot.crash")

    def main_hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        crash.critical("uncaught exception", exc_info=(kind, exc, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        assert args.exc_value is not None
        crash.error(
            "uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    def unraisable_hook(info: Any) -> None:
        value = info.exc_value
        exc_info = (info.exc_type, value, info.exc_traceback) if value is not None else None
        crash.error("%s: %r", info.err_msg or "exception ignored", info.object, exc_info=exc_info)

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
    sys.unraisablehook = unraisable_hook
