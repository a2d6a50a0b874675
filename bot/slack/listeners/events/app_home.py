"""The Home tab: every task's verdict, open alerts and their owners, snoozes, the last sweep."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.render.home import home_view
from bot.slack.client import to_slack_error
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


def publish_home(*, user_id: object, client: WebClient, deps: Deps) -> None:
    if not isinstance(user_id, str) or not user_id:
        return
    home = deps.questions.home()
    view = home_view(home.verdicts, home.alerts, home.snoozes, now=home.now, last_sweep=home.last_sweep)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackClientError as exc:
        log.warning("Home tab not published: %s", to_slack_error(exc))
