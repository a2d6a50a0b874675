"""What a button click carries, read defensively: the payload comes from the network."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from slack_bolt import Respond

from bot.render.buttons import decode_value
from bot.render.help import denied_message, error_message, internal_error, not_watched_message, stale_button
from bot.slack.deps import Deps
from bot.slack.reply import send

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Click:
    user_id: str | None
    channel_id: str | None
    message_ts: str | None
    ephemeral: bool
    value: dict[str, Any]
    blocks: list[dict[str, Any]]


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def read_click(body: dict[str, Any]) -> Click:
    """Raises ValueError for a button value the bot would not have made."""
    action = (_get(body, "actions") or [{}])[0]
    container = _get(body, "container") or {}
    message_blocks = _get(body, "message", "blocks")
    return Click(
        user_id=_get(body, "user", "id"),
        channel_id=_get(body, "channel", "id") or container.get("channel_id"),
        message_ts=container.get("message_ts") or _get(body, "message", "ts"),
        ephemeral=bool(container.get("is_ephemeral")),
        value=decode_value(action.get("value") if isinstance(action, dict) else None),
        blocks=message_blocks if isinstance(message_blocks, list) else [],
    )


class NotWatched(Exception):
    """A button names a task outside the config (forged, or from an old config): refuse, do nothing."""


def guarded(handler: Callable[..., None]) -> Callable[..., None]:
    """Access control, value validation and a last-resort error reply around every button."""

    @wraps(handler)
    def run(*, body: dict[str, Any], respond: Respond, deps: Deps, **kw: Any) -> None:
        try:
            click = read_click(body)
        except ValueError:
            send(respond, error_message(stale_button()))
            return
        if not deps.access.channel_allowed(click.channel_id) or not deps.access.user_allowed(click.user_id):
            send(respond, denied_message())
            return
        try:
            handler(click=click, respond=respond, deps=deps, **kw)
        except NotWatched:
            send(respond, not_watched_message())
        except Exception:
            log.exception("button %s failed", handler.__name__)
            send(
                respond,
                error_message(internal_error("handling that click")),
            )

    return run


def watched_arns(click: Click, deps: Deps) -> list[str] | None:
    """The tasks a button names, all of them watched by the bot; None means "all watched tasks".

    A forged value naming a task outside the config raises NotWatched (``guarded`` refuses it).
    """
    scope = click.value.get("scope", "all")
    if scope == "all":
        return None
    arns = click.value.get("tasks") or ([click.value["task"]] if "task" in click.value else [])
    if not arns or not all(deps.questions.is_watched(arn) for arn in arns):
        raise NotWatched
    return list(arns)


def watched_task(click: Click, deps: Deps) -> str:
    """The one task a button names (its ``task`` value); NotWatched unless the bot watches it."""
    arn = click.value.get("task")
    if not arn or not deps.questions.is_watched(arn):
        raise NotWatched
    return str(arn)
