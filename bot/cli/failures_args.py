"""``dms-bot failures`` flags, kept apart from the command so ``--help`` imports no database driver."""

from __future__ import annotations

import argparse

from bot.core.failures import FAILURE_TYPES

DEFAULT_LIMIT = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", metavar="TASK", help="replication task identifier or ARN")
    parser.add_argument("--table", metavar="SCHEMA.TABLE", type=table_name, help="only this table")
    parser.add_argument(
        "--type", metavar="TYPE", type=failure_type, help=f"only this kind: {', '.join(FAILURE_TYPES)}"
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        type=positive,
        default=DEFAULT_LIMIT,
        help=f"rows shown (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format on stdout")
    parser.add_argument(
        "--config", metavar="F", help="TOML config file (default: $DMS_BOT_CONFIG or ./dms-bot.toml)"
    )


def table_name(value: str) -> tuple[str, str]:
    schema, dot, table = value.partition(".")
    if not (dot and schema and table):
        raise argparse.ArgumentTypeError(f"expected SCHEMA.TABLE, got {value!r}")
    return schema, table


def failure_type(value: str) -> str:
    kind = value.strip().upper()
    if kind not in FAILURE_TYPES:
        raise argparse.ArgumentTypeError(
            f"unknown failure type {value!r} (expected {', '.join(FAILURE_TYPES)})"
        )
    return kind


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows >= 1, got {value!r}")
    return number
