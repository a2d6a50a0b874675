"""The ``/dms`` slash command: acknowledged at once, answered by a Bolt lazy listener."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.listeners.commands.dms import dms_command

COMMAND = "/dms"


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()  # first, whatever DMS is doing: Slack gives us three seconds

    def lazy_dms(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        deps.inflight.run(
            body, respond, lambda r: dms_command(body=body, respond=r, client=client, deps=deps)
        )

    app.command(COMMAND)(ack=ack_now, lazy=[lazy_dms])
