"""Short answers and their words: ``/dms help``, unknown or ambiguous task, access denied, a button
naming a task the bot does not watch, and honest errors (DMS unreachable, throttled …).

Functions take raw values and return mrkdwn-safe text: anything from DMS or a user is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.render import kit
from bot.render.kit import SlackMessage, join_lines, section
from bot.render.mrkdwn import bold, escape, label, slack_date
from bot.render.words import ERROR_EMOJI, NAME_MAX, names, plural


def help_lines() -> list[str]:
    task, state = escape("<task>"), escape("[state]")
    return [
        "*`/dms` commands*",
        "• `/dms help` — this list",
        "• `/dms status` — every task's verdict, worst first",
        f"• `/dms status {task}` — one task: status, verdict, counts by validation state, problem tables",
        f"• `/dms tables {task} {state}` — the task's tables, optionally only those in a validation state",
        f"• `/dms check {escape('[task]')}` — a fresh check now, for one task or all of them",
        f"• `/dms history {task}` — the task's recent verdicts and record counts, as a chart",
        f"• `/dms failures {task} {escape('[schema.table]')}` — which rows failed validation and how, "
        "newest first, from the target database",
        f"• `/dms ready {task} {escape('[watch]')}` — may the target take over now? every cutover check "
        "with its evidence; `watch` says in a thread when the answer turns",
        "A task is named by identifier, ARN or a unique prefix.",
    ]


def help_fallback() -> str:
    return escape(
        "DMS bot commands: help · status · status <task> · tables <task> [state] · check [task] · history <task> · failures <task> [schema.table] · ready <task> [watch]"
    )


def unknown_task(name: str, suggestions: Sequence[str]) -> str:
    text = f":mag: No task called {bold(label(name, NAME_MAX))}."
    if suggestions:
        text += f" Did you mean {names(suggestions)}?"
    return text + " `/dms status` lists every task."


def ambiguous_task(name: str, candidates: Sequence[str]) -> str:
    return (
        f":mag: {bold(label(name, NAME_MAX))} matches {plural(len(candidates), 'task')}: "
        f"{names(candidates)}. Use the full identifier or ARN."
    )


def denied() -> str:
    return (
        ":no_entry: You're not allowed to use the DMS bot here; ask an admin to add you to "
        "`allowed_users` (or this channel to `allowed_channels`)."
    )


def error(text: str, data_from: datetime | None = None) -> str:
    shown = f" Showing data from {slack_date(data_from)}." if data_from is not None else ""
    return f"{ERROR_EMOJI} {escape(text, 1500)}{shown}"


def not_watched() -> str:
    return ":no_entry: That button names a task this bot does not watch; nothing was done."


def stale_button() -> str:
    return ":warning: That button's data is not valid; it was ignored."


def task_gone() -> str:
    return "That task no longer exists."


def internal_error(what: str) -> str:
    return f"Something went wrong {what}; the bot logged the details."


def dms_throttled(last_sweep_at: datetime | None, detail: str) -> str:
    """Honest about stale data: DMS said no, and when the last complete sweep was."""
    when = f" The last complete sweep is from {last_sweep_at:%Y-%m-%d %H:%M} UTC." if last_sweep_at else ""
    return f"DMS is throttling API calls right now, so no fresh data could be fetched.{when} ({detail})"


def showing_last_sweep() -> str:
    return "DMS is throttling API calls right now, so this is the last sweep's result"


def cannot_list(detail: str) -> str:
    return f"DMS could not list the replication tasks right now ({detail})."


def _single(text: str, fallback: str | None = None) -> SlackMessage:
    return kit.message(fallback or text, [section(text)])


def help_message(*, problem: str | None = None) -> SlackMessage:
    """Every subcommand with one line each: what ``/dms help`` and unknown input show.

    ``problem`` (from the parser: "unknown command “x”") is shown first, escaped.
    """
    lines = help_lines()
    if problem:
        lines = [f":grey_question: {escape(problem, 200)}", *lines]
    return _single(join_lines(lines), help_fallback())


def unknown_task_message(name: str, suggestions: Sequence[str]) -> SlackMessage:
    return _single(unknown_task(name, suggestions))


def ambiguous_task_message(name: str, candidates: Sequence[str]) -> SlackMessage:
    return _single(ambiguous_task(name, candidates))


def denied_message() -> SlackMessage:
    return _single(denied())


def error_message(text: str, *, data_from: datetime | None = None) -> SlackMessage:
    """An honest, short failure (DMS unreachable, throttled …), optionally naming older data shown."""
    return _single(error(text, data_from))


def not_watched_message() -> SlackMessage:
    """A button naming a task outside the config (forged or out of date): refused, nothing done."""
    return _single(not_watched())


RESTARTING = "The bot is restarting; try again in a minute."


def restarting_message() -> SlackMessage:
    """A click, command or event the bot could not finish before it stopped (SIGTERM, a deploy)."""
    return _single(f":hourglass_flowing_sand: {RESTARTING}", RESTARTING)
