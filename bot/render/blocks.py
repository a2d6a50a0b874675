"""Every Slack message the bot sends, in one import: ``from bot.render import blocks``.

Renderers are pure (data in, :class:`SlackMessage` out; no Slack calls, no clock), build blocks with
slack_sdk's typed models, escape every DMS or user string, and stay within Slack's limits whatever
the input. The implementations live in ``blocks_report``, ``blocks_task`` and ``blocks_misc``.
"""

from __future__ import annotations

from bot.render.blocks_misc import (
    ambiguous_task_message,
    denied_message,
    error_message,
    help_message,
    rechecking_message,
    shared_message,
    unknown_task_message,
    working_message,
)
from bot.render.blocks_report import fleet_message, report_message
from bot.render.blocks_task import problem_tables_message, tables_message, task_message
from bot.render.kit import SlackMessage, text_size

__all__ = [
    "SlackMessage",
    "ambiguous_task_message",
    "denied_message",
    "error_message",
    "fleet_message",
    "help_message",
    "problem_tables_message",
    "rechecking_message",
    "report_message",
    "shared_message",
    "tables_message",
    "task_message",
    "text_size",
    "unknown_task_message",
    "working_message",
]
