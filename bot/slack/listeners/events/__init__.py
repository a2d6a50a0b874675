"""Events API listeners: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.listeners.events.app_home import publish_home


def register(app: App, deps: Deps) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def lazy_app_home(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") == "home":
            home = lambda: publish_home(user_id=event.get("user"), client=client, deps=deps)  # noqa: E731
            deps.inflight.run_event(body, home)

    app.event("app_home_opened")(ack=ack_now, lazy=[lazy_app_home])
