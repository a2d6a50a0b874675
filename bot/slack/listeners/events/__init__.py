"""Events API listeners (the App Home tab arrives with the alerting work)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps


def register(app: App, deps: Deps) -> None:
    """No event subscriptions yet."""
