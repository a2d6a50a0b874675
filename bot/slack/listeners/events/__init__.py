"""Events API listeners: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.listeners.events.app_home import publish_home


def register(app: App, deps: Deps) -> None:
    def app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        deps.executor.submit(publish_home, user_id=event.get("user"), client=client, deps=deps)

    app.event("app_home_opened")(app_home_opened)
