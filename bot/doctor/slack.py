"""Slack checks: the bot token (``auth.test``), membership of every channel the bot posts to (and
that it may read the channel back, for exactly-once posts), and that at least one way of receiving Slack's requests is usable (Socket Mode or HTTP mode)."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.doctor import Check, Status, fail, ok
from bot.errors import ConfigError, SlackError
from bot.settings import Settings
from bot.slack.client import TIMEOUT, build_web_client, to_slack_error

_BAD_TOKEN = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
REINSTALL_FIX = (
    "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-..., OAuth & Permissions page; "
    "reinstall the app if it was revoked)"
)


def check_slack(settings: Settings) -> list[Check]:
    try:
        client = build_web_client(settings.slack, rate_limit_retries=1)
    except ConfigError as exc:
        return [fail("slack token", str(exc), REINSTALL_FIX)]
    try:
        auth = client.auth_test()
    except (SlackApiError, SlackClientError) as exc:
        error = to_slack_error(exc)
        skipped = [
            Check(f"slack channel {c}", Status.SKIP, "not checked: no valid token")
            for c in channels_of(settings)
        ]
        return [fail("slack token", str(error), _token_fix(error, settings)), *skipped]
    bot = str(auth.get("user") or "bot")
    checks = [ok("slack token", f"auth.test OK: @{bot} in {auth.get('team') or 'the workspace'}")]
    channels = channels_of(settings)
    if not channels:
        checks.append(
            Check(
                "slack channel",
                Status.WARN,
                "no channel configured: alerts and reports are not posted to Slack",
                "set [slack] channel in the config or DMS_BOT_CHANNEL",
            )
        )
    checks += [check_channel(client, channel, bot) for channel in channels]
    return checks


def channels_of(settings: Settings) -> list[str]:
    """Every channel the bot posts to: the default one and each target's, in config order."""
    found = [settings.slack.channel] + [t.channel for t in settings.targets]
    return list(dict.fromkeys(c for c in found if c))


def check_channel(client: WebClient, channel: str, bot: str) -> Check:
    name = f"slack channel {channel}"
    invite = f"invite @{bot} to <#{channel}> (type /invite @{bot} in the channel)"
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except (SlackApiError, SlackClientError) as exc:
        error = to_slack_error(exc)
        return fail(name, str(error), _channel_fix(error, channel, invite))
    if info.get("is_archived"):
        return fail(name, "the channel is archived", "unarchive it, or configure another channel")
    if not info.get("is_member"):
        return fail(name, f"@{bot} is not a member, so it cannot post there", invite)
    member = f"@{bot} is a member of #{info.get('name') or channel}"
    unreadable = _history_unreadable(client, channel)
    if unreadable:
        return Check(
            name,
            Status.WARN,
            f"{member}, but cannot read its history ({unreadable}): a post whose answer was lost "
            "may show twice",
            "add the channels:history and groups:history scopes (see manifest.yml) and reinstall the app",
        )
    return ok(name, member)


def _history_unreadable(client: WebClient, channel: str) -> str | None:
    """Why the bot cannot read the channel back (its exactly-once check), or None when it can."""
    try:
        client.conversations_history(channel=channel, limit=1)
    except (SlackApiError, SlackClientError) as exc:
        error = to_slack_error(exc)
        return str(error) if error.code in ("missing_scope", "not_in_channel") else None
    return None


def check_modes(settings: Settings) -> Check:
    """Socket Mode needs an app-level token (tried with ``apps.connections.open``); HTTP mode a signing secret."""
    name = "slack mode"
    slack = settings.slack
    usable: list[str] = []
    if slack.app_token:
        client = WebClient(token=slack.app_token.reveal(), base_url=slack.api_url, timeout=TIMEOUT)
        try:
            client.apps_connections_open(app_token=slack.app_token.reveal())
        except (SlackApiError, SlackClientError) as exc:
            fix = "set SLACK_APP_TOKEN to an app-level token (xapp-...) with the connections:write scope"
            return fail(name, f"SLACK_APP_TOKEN: {to_slack_error(exc)}", fix)
        usable.append("Socket Mode (SLACK_APP_TOKEN works)")
    if slack.signing_secret:
        usable.append("HTTP mode (SLACK_SIGNING_SECRET set)")
    if not usable:
        return fail(
            name,
            "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set",
            "set SLACK_APP_TOKEN (xapp-..., connections:write) for 'serve', or SLACK_SIGNING_SECRET for 'serve --http'",
        )
    return ok(name, " and ".join(usable) + " usable")


def _token_fix(error: SlackError, settings: Settings) -> str:
    if error.code in _BAD_TOKEN:
        return REINSTALL_FIX
    if error.code == "unreachable":
        return f"check network access to {settings.slack.api_url} (proxy, firewall) and SLACK_API_URL"
    return "see https://api.slack.com/methods/auth.test for this error"


def _channel_fix(error: SlackError, channel: str, invite: str) -> str:
    if error.code == "channel_not_found":
        return f"check the channel ID {channel} (a private channel is only visible after the bot is invited: {invite})"
    if error.code == "not_in_channel":
        return invite
    if error.code == "missing_scope":
        return "add the channels:read and groups:read scopes to the app (see manifest.yml) and reinstall it"
    return "see https://api.slack.com/methods/conversations.info for this error"
