"""After each scheduled sweep: the report to each target's channel, the document to the webhook."""

from __future__ import annotations

import logging
from collections import defaultdict

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.core.models import Report
from bot.render import blocks
from bot.settings import Settings
from bot.slack.client import to_slack_error

log = logging.getLogger(__name__)


def split_by_channel(report: Report, settings: Settings) -> dict[str, Report]:
    """Teams own different targets: each channel gets a report of its own tasks only."""
    channels = {t.name: settings.channel_for(t) for t in settings.targets}
    tasks: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    errors: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for verdict in report.tasks:
        if channel := channels.get(verdict.target):
            tasks[channel].append(verdict)
    for error in report.errors:
        if channel := channels.get(error.target):
            errors[channel].append(error)
    return {
        channel: Report(
            checked_at=report.checked_at,
            tasks=tuple(tasks[channel]),
            errors=tuple(errors[channel]),
            duration_seconds=report.duration_seconds,
        )
        for channel in sorted(set(tasks) | set(errors))
    }


def publish_report(client: WebClient, report: Report, settings: Settings) -> list[str]:
    """Post the report to every channel concerned; returns the channels that failed."""
    failed: list[str] = []
    for channel, part in split_by_channel(report, settings).items():
        message = blocks.report_message(part)
        try:
            client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False
            )
        except SlackClientError as exc:
            log.error("report not posted to %s: %s", channel, to_slack_error(exc))
            failed.append(channel)
    return failed
