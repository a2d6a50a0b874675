from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.render.buttons import SNOOZE_ACTION_PATTERN, Action
from bot.slack.deps import Deps
from bot.slack.listeners.actions.alert_actions import acknowledge, revalidate, snooze
from bot.slack.listeners.actions.recheck import recheck
from bot.slack.listeners.actions.share import share
from bot.slack.listeners.actions.tables import show_tables, tables_page

Handler = Callable[..., None]


def register(app: App, deps: Deps) -> None:
    def bind(handler: Handler) -> Callable[[Ack, dict[str, Any], Respond, WebClient], None]:
        def callback(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            deps.executor.submit(handler, body=body, respond=respond, client=client, deps=deps)

        return callback

    app.action(Action.RECHECK)(bind(recheck))
    app.action(Action.SHOW_TABLES)(bind(show_tables))
    app.action(Action.TABLES_PAGE)(bind(tables_page))
    app.action(Action.SHARE)(bind(share))
    app.action(Action.ACK)(bind(acknowledge))
    app.action(SNOOZE_ACTION_PATTERN)(bind(snooze))
    app.action(Action.REVALIDATE)(bind(revalidate))
