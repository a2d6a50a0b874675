"""``python -m bot`` / ``dms-bot``: argument parsing and dispatch only.

Bad input (unknown flag, broken config, unknown task) gets one line on stderr and exit 2, never a
traceback: every handler raises the bot's own errors and this module prints them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

# Import-light on purpose: each command's module is imported only when that command runs.
from bot import __version__
from bot.cli.exit_codes import ExitCode
from bot.errors import BotError


class UsageError(BotError):
    """A wrong flag or argument."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


CONFIG_HELP = "TOML config file (default: $DMS_BOT_CONFIG or ./dms-bot.toml)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dms-bot",
        description="Watch AWS DMS replication tasks and their table-level data validation.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    _add_check(commands)
    demo = commands.add_parser("demo", help="run the real bot against the built-in DMS simulator")
    demo.add_argument("--out", metavar="DIR", default="demo-out", help="where to write the demo's JSON files")
    demo.set_defaults(handler=_run("bot.cli.demo"))
    _add_serve(commands)
    doctor = commands.add_parser(
        "doctor", help="check credentials, DMS permissions, Slack token and channels, webhook, store"
    )
    doctor.add_argument("--config", metavar="F", help=CONFIG_HELP)
    doctor.set_defaults(handler=_run("bot.cli.doctor"))
    failures = commands.add_parser(
        "failures", help="row-level validation failures from the task's target database, newest first"
    )
    from bot.cli.failures_args import add_arguments as add_failures_arguments

    add_failures_arguments(failures)
    failures.set_defaults(handler=_run("bot.cli.failures"))
    ready = commands.add_parser(
        "ready",
        help="the cutover gate: may this task's target take over now? (exit 0 ready, 1 not, 2 cannot judge)",
    )
    from bot.cli.ready_args import add_arguments as add_ready_arguments

    add_ready_arguments(ready)
    ready.set_defaults(handler=_run("bot.cli.ready"))
    sim = commands.add_parser("sim", help="serve the DMS simulator on loopback for boto3 / aws-cli")
    from bot.sim.cli import add_arguments as add_sim_arguments

    add_sim_arguments(sim)
    sim.set_defaults(handler=_run("bot.sim.cli"))
    return parser


def _add_check(commands: Any) -> None:
    check = commands.add_parser("check", help="run one validation sweep and report (cron-ready)")
    check.add_argument("--config", metavar="F", help=CONFIG_HELP)
    check.add_argument(
        "--task",
        metavar="REF",
        action="append",
        default=[],
        help="only this task (id, ARN or glob); repeatable",
    )
    check.add_argument("--format", choices=("text", "json"), default="text", help="report format on stdout")
    check.add_argument("--no-notify", action="store_true", help="do not POST the report to the webhook")
    check.set_defaults(handler=_run("bot.cli.check"))


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the Slack app and the scheduler (Socket Mode or --http)")
    serve.add_argument("--config", metavar="F", help=CONFIG_HELP)
    serve.add_argument(
        "--http",
        action="store_true",
        help="serve Slack over HTTP (POST /slack/events) instead of Socket Mode",
    )
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    serve.set_defaults(handler=_run("bot.cli.serve"))


def _run(module: str) -> object:
    """Import a command module only when it runs (keeps ``--help`` fast and import side-effect free)."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        command = importlib.import_module(module)
        result: int = command.run(args)
        return result

    return handler


def one_line(text: str, limit: int = 2000) -> str:
    """Printable, on one line and bounded, whatever an error quotes (a TOML key holding a newline,
    a 100,000-character value): anything unprintable is shown as its escape sequence."""
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.handler(args)
        return code
    except BotError as exc:
        print(f"dms-bot: {one_line(str(exc))}", file=sys.stderr)
        return ExitCode.UNUSABLE
    except KeyboardInterrupt:
        print("dms-bot: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
