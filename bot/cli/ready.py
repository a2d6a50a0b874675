"""``dms-bot ready TASK``: the cutover gate. May this task's target take over from its source now?

Exit 0 ready, 1 not ready (blockers named), 2 cannot judge (unknown task, DMS unreachable, bad
input): one line on stderr. The store (open alerts, revalidations) is read where ``serve`` keeps it
(``DMS_BOT_DB``); with no store here, ``no_open_incident`` is skipped and said as a caveat.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from bot.app.cutover import CutoverGate, GateStore
from bot.app.wiring import build_sweeps
from bot.aws.secrets import load_secret
from bot.cli.exit_codes import ExitCode
from bot.config import load_settings
from bot.core.readiness import readiness_document
from bot.errors import StoreError
from bot.render.ready_text import render_ready
from bot.settings import Settings
from bot.store.location import SQLITE, locate


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    sweeps = build_sweeps(settings)
    store, note = open_gate_store(settings)
    gate = CutoverGate(
        sweeps, settings=settings.cutover, store=store, clock=lambda: datetime.now(UTC), store_note=note
    )
    try:
        readiness = gate.assess(args.task, max_lag=args.max_lag, steady=args.steady, since=args.since)
    finally:
        if sweeps.failed_rows is not None:
            sweeps.failed_rows.close()
        close = getattr(store, "close", None)
        if close is not None:
            close()
    if args.format == "json":
        print(json.dumps(readiness_document(readiness), indent=2, ensure_ascii=False))
    else:
        print(render_ready(readiness), end="")
    return ExitCode.OK if readiness.ready else ExitCode.FAILURE


def open_gate_store(settings: Settings) -> tuple[GateStore | None, str]:
    """The store ``serve`` writes, opened without migrating it; (None, why) when there is none here.

    A store that exists but cannot be read answers every question with its error, so the checks
    that need it are ``unknown``, never skipped.
    """
    from bot.store.sql import SqlStore  # SQLAlchemy loads only when a command needs it

    try:
        where = locate(settings.store.path)
        if where.backend == SQLITE and not Path(where.target).is_file():
            return (
                None,
                f"no store at {where.shown} here (the bot's alerts live where serve keeps them: DMS_BOT_DB)",
            )
        return SqlStore(settings.store.path, migrate=False), ""
    except StoreError as exc:
        return _Unreadable(str(exc)), ""


class _Unreadable:
    """A store that could not be opened: every read raises its one line."""

    def __init__(self, why: str) -> None:
        self.why = why

    def get_alert(self, task_arn: str, *, for_update: bool = False) -> NoReturn:
        raise StoreError(self.why)

    def recent_audit(self, *, task_arn: str, actions: tuple[str, ...], since: datetime) -> NoReturn:
        raise StoreError(self.why)
