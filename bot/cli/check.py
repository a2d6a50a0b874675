"""``dms-bot check``: one sweep, a report on stdout, the report POSTed to the webhook.

Exit 0 all healthy (warnings allowed), 1 any failure verdict or task error, 2 could not check at
all (config, credentials, every listing failed, unknown ``--task``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from bot.app.sweeps import Sweeps
from bot.app.wiring import build_sweeps
from bot.aws.secrets import load_secret
from bot.cli.exit_codes import ExitCode
from bot.config import load_settings
from bot.core.models import Report
from bot.core.report import to_document
from bot.deliver.webhook import post_report
from bot.errors import ConfigError, WebhookError
from bot.render.terminal import render_report
from bot.settings import Settings

_PROGRESS_MIN_TASKS = 10


class TtyProgress:
    """``checked 37/250 tasks`` on one rewritten stderr line, only when someone is watching."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        if total < _PROGRESS_MIN_TASKS:
            return
        end = "\n" if done == total else ""
        self.stream.write(f"\rchecked {done}/{total} tasks{end}")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    sweeps = build_sweeps(settings)
    progress = TtyProgress(sys.stderr) if sys.stderr.isatty() else None
    report = sweeps.sweep(only=args.task, progress=progress)
    _reject_unknown_tasks(args.task, sweeps, report)
    print(
        json.dumps(to_document(report), indent=2) if args.format == "json" else render_report(report), end=""
    )
    if args.format == "json":
        print()
    if not args.no_notify:
        notify(settings, report)
    if sweeps.listed_nothing(report):
        first = report.errors[0].error if report.errors else "no target could be listed"
        print(f"dms-bot: could not list replication tasks: {first}", file=sys.stderr)
        return ExitCode.UNUSABLE
    return ExitCode.FAILURE if report.failed else ExitCode.OK


def notify(settings: Settings, report: Report) -> bool:
    """POST the report when a webhook is configured; a failure is one stderr line, never fatal."""
    hook = settings.webhook
    if not hook.url:
        return False
    try:
        post_report(
            hook.url.reveal(),
            to_document(report),
            timeout=hook.timeout,
            retries=hook.retries,
            signing_secret=hook.signing_secret.reveal() if hook.signing_secret else None,
        )
    except WebhookError as exc:
        print(f"dms-bot: report not delivered: {exc}", file=sys.stderr)
        return False
    return True


def _reject_unknown_tasks(refs: list[str], sweeps: Sweeps, report: Report) -> None:
    for ref, close in sweeps.unmatched(refs, report)[:1]:
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(f"unknown task {ref!r}{hint}")
