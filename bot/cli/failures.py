"""``dms-bot failures TASK``: the task's row-level validation failures, read from DMS's
``awsdms_validation_failures_v1`` and ``_v2`` (engine 3.6.1+, with each row's resync result) on its
target database, as one list, newest first.

Exit 0 when the table could be read (even with no rows); 2 with one line on stderr when it could
not (unknown task, no database for its endpoint, login or connection refused, timeout, no table,
unsupported engine).
"""

from __future__ import annotations

import argparse
import json
import os

from bot.app.failed_rows import find_task
from bot.app.wiring import build_sweeps
from bot.aws.secrets import load_secret
from bot.cli.exit_codes import ExitCode
from bot.config import load_settings
from bot.errors import TargetDbError
from bot.render.failures_text import failures_document, render_failures


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    sweeps = build_sweeps(settings)
    watched, task = find_task(sweeps, args.task)
    if sweeps.failed_rows is None:
        raise TargetDbError(
            "no target database is configured: add a [[databases]] entry for the task's target endpoint "
            "(or set [failures] use_endpoint_secrets = true)",
            kind="not_configured",
        )
    try:
        found = sweeps.failed_rows.page(
            watched, task, table=args.table, failure_type=args.type, limit=args.limit
        )
    finally:
        sweeps.failed_rows.close()
    if args.format == "json":
        document = failures_document(task, endpoint=found.endpoint, engine=found.engine, page=found.page)
        print(json.dumps(document, indent=2))
    else:
        print(render_failures(task, endpoint=found.endpoint, engine=found.engine, page=found.page), end="")
    return ExitCode.OK
