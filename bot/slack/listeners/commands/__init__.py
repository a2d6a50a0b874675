from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.deps import Deps
from bot.slack.listeners.commands.dms import dms_command

COMMAND = "/dms"


def register(app: App, deps: Deps) -> None:
    def dms_callback(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        dms_command(ack=ack, body=body, respond=respond, deps=deps)

    app.command(COMMAND)(dms_callback)
