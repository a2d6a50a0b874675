from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.listeners.commands.dms import dms_command

COMMAND = "/dms"


def register(app: App, deps: Deps) -> None:
    def dms_callback(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        dms_command(ack=ack, body=body, respond=respond, client=client, deps=deps)

    app.command(COMMAND)(dms_callback)
