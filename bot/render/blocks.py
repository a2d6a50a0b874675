"""Every Slack message the bot sends, in one import: ``from bot.render import blocks``.

Renderers are pure (data in, :class:`SlackMessage` out; no Slack calls, no clock), build blocks with
slack_sdk's typed models, escape every DMS or user string, and stay within Slack's limits whatever
the input. The implementations live in ``blocks_report``, ``blocks_task``, ``blocks_misc``,
``blocks_alerts`` (incidents), ``blocks_digest`` (digest, App Home) and ``blocks_history``; the
history chart PNG is :func:`bot.render.chart.history_chart_png`.
"""

from __future__ import annotations

from bot.render.blocks_alerts import (
    ack_reply,
    alert_message,
    new_tables_reply,
    not_operator_message,
    recovered_reply,
    reminder_reply,
    resolved_message,
    revalidate_not_possible_message,
    revalidate_reply,
    snooze_reply,
)
from bot.render.blocks_digest import digest_message, home_view
from bot.render.blocks_history import history_alt_text, history_message
from bot.render.blocks_misc import (
    ambiguous_task_message,
    denied_message,
    error_message,
    help_message,
    not_watched_message,
    rechecking_message,
    shared_message,
    unknown_task_message,
)
from bot.render.blocks_report import fleet_message, report_message
from bot.render.blocks_task import problem_tables_message, tables_message, task_message
from bot.render.kit import SlackMessage, text_size

__all__ = [
    "SlackMessage",
    "ack_reply",
    "alert_message",
    "ambiguous_task_message",
    "denied_message",
    "digest_message",
    "error_message",
    "fleet_message",
    "help_message",
    "history_alt_text",
    "history_message",
    "home_view",
    "new_tables_reply",
    "not_operator_message",
    "not_watched_message",
    "problem_tables_message",
    "rechecking_message",
    "recovered_reply",
    "reminder_reply",
    "report_message",
    "resolved_message",
    "revalidate_not_possible_message",
    "revalidate_reply",
    "shared_message",
    "snooze_reply",
    "tables_message",
    "task_message",
    "text_size",
    "unknown_task_message",
]
