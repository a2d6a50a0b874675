"""Button clicks: acknowledged at once, handled by a Bolt lazy listener on the app's executor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.render.buttons import SNOOZE_ACTION_PATTERN, Action
from bot.slack.deps import Deps
from bot.slack.listeners.actions.alert_actions import acknowledge, revalidate, snooze
from bot.slack.listeners.actions.failures import failed_rows, failures_page
from bot.slack.listeners.actions.ready import watch_ready
from bot.slack.listeners.actions.recheck import recheck
from bot.slack.listeners.actions.share import share
from bot.slack.listeners.actions.tables import show_tables, tables_page

Handler = Callable[..., None]


def ack_now(ack: Ack) -> None:
    ack()


def register(app: App, deps: Deps) -> None:
    def bind(handler: Handler) -> Callable[[dict[str, Any], Respond, WebClient], None]:
        def lazy(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            deps.inflight.run(
                body, respond, lambda r: handler(body=body, respond=r, client=client, deps=deps)
            )

        lazy.__name__ = f"lazy_{handler.__name__}"  # Bolt tells lazy listeners apart by name
        return lazy

    for action_id, handler in (
        (Action.RECHECK, recheck),
        (Action.SHOW_TABLES, show_tables),
        (Action.TABLES_PAGE, tables_page),
        (Action.SHARE, share),
        (Action.ACK, acknowledge),
        (SNOOZE_ACTION_PATTERN, snooze),
        (Action.REVALIDATE, revalidate),
        (Action.FAILED_ROWS, failed_rows),
        (Action.FAILURES_PAGE, failures_page),
        (Action.WATCH_READY, watch_ready),
    ):
        app.action(action_id)(ack=ack_now, lazy=[bind(handler)])
