""" "Tell me when ready" on a ``/dms ready`` answer: the gate asked again, then a watch started (its
first post goes in the channel, the turns in that post's thread) or the running one named."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.app.questions import Found
from bot.render.help import error_message, task_gone
from bot.slack.answers import answer_errors, ready_for
from bot.slack.deps import Deps
from bot.slack.listeners.actions.context import Click, guarded, watched_task
from bot.slack.reply import send


@guarded
def watch_ready(*, click: Click, respond: Respond, client: WebClient, deps: Deps) -> None:
    found = deps.questions.find(watched_task(click, deps))
    if not isinstance(found, Found):
        send(respond, error_message(task_gone()))
        return
    with answer_errors(deps.questions) as failed:  # DMS trouble: one honest line
        send(
            respond, ready_for(found, deps.cutover, watch=True, user=click.user_id, channel=click.channel_id)
        )
    if failed.message is not None:
        send(respond, failed.message)
