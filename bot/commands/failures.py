"""``dms-bot failures TASK``: the task's row-level validation failures, read from DMS's
``awsdms_validation_failures_v1`` on its target database, newest first.

Exit 0 when the table could be read (even with no rows); 2 with one line on stderr when it could
not (unknown task, no database for its endpoint, login or connection refused, timeout, no table,
unsupported engine).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os

from bot.aws.secrets import load_secret
from bot.config import load_settings
from bot.core.models import Task
from bot.core.selectors import Selection
from bot.errors import ConfigError
from bot.render.failures_text import failures_document, render_failures
from bot.runtime import build_checker
from bot.service import Checker, Watched
from bot.targets import FailureSources

EXIT_OK = 0


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    checker = build_checker(settings)
    watched, task = find_task(checker, args.task)
    sources = FailureSources.from_settings(settings, secret_loader=load_secret)
    try:
        db, page = sources.page(
            task, watched.gateway, table=args.table, failure_type=args.type, limit=args.limit
        )
    finally:
        sources.close()
    if args.format == "json":
        print(
            json.dumps(failures_document(task, endpoint=db.endpoint, engine=db.engine, page=page), indent=2)
        )
    else:
        print(render_failures(task, endpoint=db.endpoint, engine=db.engine, page=page), end="")
    return EXIT_OK


def find_task(checker: Checker, ref: str) -> tuple[Watched, Task]:
    """The task ``ref`` names (identifier or ARN), asked of DMS with a filter; else close names."""
    selection = Selection((ref,))
    for watched in checker.watched:
        found = [t for t in watched.gateway.list_tasks(selection) if selection.matches(t)]
        if found:
            return watched, found[0]
    names = sorted({task.identifier for _, task in checker.list_tasks()})
    close = difflib.get_close_matches(ref, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ConfigError(f"unknown task {ref!r}{hint}")
