"""What the bot says about incidents, the digest, the Home tab and task history.

The companion of :mod:`bot.render.messages` (kept apart so each module stays small): functions
take raw values and return mrkdwn-safe text. Anything from DMS or a user is escaped here; the only
``<…>`` tokens are dates, mentions and links made by :mod:`bot.render.mrkdwn`. Headers, button
labels and the confirm dialog are plain text of fixed words and numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.durations import format_duration
from bot.render.messages import ERROR_EMOJI, NAME_MAX, plural
from bot.render.mrkdwn import bold, escape, label, slack_date, user, usergroup

SUMMARY_MAX = 500
NAMES_MAX = 10

FAILING_HEADER = ":red_circle: DMS task failing"
UNCHECKABLE_HEADER = ":warning: DMS task cannot be checked"
RESOLVED_HEADER = ":large_green_circle: Resolved"
ACKNOWLEDGE = "Acknowledge"
REVALIDATE = "Revalidate"
CONFIRM_TITLE = "Revalidate tables?"
CONFIRM_YES = "Revalidate"
CONFIRM_NO = "Cancel"

ROW_EMOJI = {
    "ok": ":large_green_circle:",
    "warning": ":large_yellow_circle:",
    "failure": ":red_circle:",
    "error": ERROR_EMOJI,
}
UNKNOWN_EMOJI = ":white_circle:"


def took(span: timedelta) -> str:
    """``1h 30m``: never negative, whatever clocks say."""
    return format_duration(max(span.total_seconds(), 0.0))


def row_emoji(verdict: str) -> str:
    return ROW_EMOJI.get(verdict, UNKNOWN_EMOJI)


def names(raw: Sequence[str], limit: int = NAMES_MAX) -> str:
    """``*a*, *b* …and 3 more`` with every name escaped."""
    shown = ", ".join(bold(label(n, NAME_MAX)) for n in raw[:limit])
    hidden = len(raw) - limit
    return f"{shown} …and {hidden} more" if hidden > 0 else shown


# --- the alert message -------------------------------------------------------------------------


def alert_header(kind: str) -> str:
    return UNCHECKABLE_HEADER if kind == "error" else FAILING_HEADER


def alert_fallback(task_id: str, kind: str, summary: str, mention: str | None) -> str:
    what = "cannot be checked" if kind == "error" else "is failing"
    text = f"{label(task_id, NAME_MAX)} {what}"
    text += f": {label(summary, 300)}" if summary.strip() else ""
    return f"{usergroup(mention)} {text}" if mention else text


def mention(group_id: str) -> str:
    return f":rotating_light: {usergroup(group_id)} please take a look"


def task_line(link_text: str, target: str) -> str:
    """``link_text`` is already safe; the target is escaped here."""
    return f"{link_text} · {label(target, 60)}" if target else link_text


def gone() -> str:
    return ":ghost: The task no longer exists in DMS."


def since(kind: str, opened_at: datetime, span: timedelta, last_checked: datetime | None) -> str:
    state = "Cannot be checked since" if kind == "error" else "Failing since"
    text = f"{state} {slack_date(opened_at)} (for {took(span)})"
    return text + (f" · last checked {slack_date(last_checked)}" if last_checked else "")


def acknowledged(user_id: str, at: datetime | None) -> str:
    when = f" {slack_date(at)}" if at is not None else ""
    return f":eyes: Acknowledged by {user(user_id)}{when}"


def snoozed_until(until: datetime) -> str:
    return f":zzz: Snoozed until {slack_date(until)}"


def snooze_button(hours: int) -> str:
    return f"Snooze {hours}h"


def confirm_text(tables: int, *, at_least: bool) -> str:
    """Plain text (≤300) for the Revalidate confirm dialog: fixed words and a number only."""
    count = f"at least {plural(tables, 'failing table')}" if at_least else plural(tables, "failing table")
    return (
        f"DMS will re-validate {count} of this task (ReloadTables, validate-only, "
        "at most 10 tables per request). Replication keeps running; validation of those tables "
        "starts over."
    )


# --- resolved and thread replies ---------------------------------------------------------------


def resolved(at: datetime, span: timedelta) -> str:
    return f"Recovered {slack_date(at)} after {took(span)}."


def resolved_gone(at: datetime, span: timedelta) -> str:
    return f":ghost: The task no longer exists (noticed {slack_date(at)}, after {took(span)})."


def opened(at: datetime) -> str:
    return f"Incident opened {slack_date(at)}"


def was_wrong(summary: str) -> str:
    return f"*What was wrong:* {label(summary, SUMMARY_MAX)}"


def resolved_fallback(task_id: str, span: timedelta, *, task_gone: bool) -> str:
    if task_gone:
        return f"{label(task_id, NAME_MAX)}: the task no longer exists (after {took(span)})"
    return f"{label(task_id, NAME_MAX)} recovered after {took(span)}"


def reminder(kind: str, span: timedelta) -> str:
    state = "Still not checkable" if kind == "error" else "Still failing"
    return f":alarm_clock: {state} after {took(span)}."


def currently(summary: str) -> str:
    return f"Now: {label(summary, SUMMARY_MAX)}" if summary.strip() else ""


def new_tables(tables: Sequence[str]) -> str:
    more = "more table" if len(tables) == 1 else "more tables"
    return f":new: {len(tables)} {more} failing: {names(tables)}"


def new_tables_fallback(task_id: str, n: int) -> str:
    return f"{label(task_id, NAME_MAX)}: {n} more {'table' if n == 1 else 'tables'} failing"


def recovered(span: timedelta) -> str:
    return f":white_check_mark: Recovered after {took(span)}."


def revalidated(user_id: str, tables: int, requests: int) -> str:
    return (
        f":repeat: {user(user_id)} asked DMS to re-validate {plural(tables, 'table')} "
        f"({plural(requests, 'ReloadTables request')})."
    )


def revalidate_failed(user_id: str, tables: int, requests: int, error: str) -> str:
    sent = f" after {plural(requests, 'ReloadTables request')}" if requests else ""
    return (
        f"{ERROR_EMOJI} {user(user_id)}'s request to re-validate {plural(tables, 'table')} "
        f"failed{sent}: {escape(error, 1000)}"
    )


def acked(user_id: str, at: datetime) -> str:
    return f":eyes: {user(user_id)} acknowledged this {slack_date(at)} and is looking into it."


def snoozed(user_id: str, until: datetime) -> str:
    return (
        f":zzz: {user(user_id)} snoozed this task until {slack_date(until)}: no alerts or "
        "reminders until then (recovery is still announced)."
    )


def not_operator() -> str:
    return (
        ":no_entry: Only the bot's configured operators may revalidate tables; ask an admin to add "
        "you (or your user group) to `operators`."
    )


def not_possible(reason: str) -> str:
    return f":information_source: Nothing to revalidate: {escape(reason, 500) or 'no reason given'}."


# --- digest, Home tab and history ----------------------------------------------------------------


def digest_header() -> str:
    return ":newspaper: DMS daily digest"


def digest_fallback(tasks: int, incidents: int, snoozed: int, warnings: int) -> str:
    return (
        f"DMS daily digest: {plural(tasks, 'task')} · {plural(incidents, 'open incident')} · "
        f"{snoozed} snoozed · {plural(warnings, 'warning')}"
    )


def home_header() -> str:
    return ":satellite: DMS fleet"


def fleet_counts(tasks: int, ok: int, warning: int, failure: int, errors: int) -> str:
    return (
        f"*{plural(tasks, 'task')}:* {ok} ok · {plural(warning, 'warning')} · "
        f"{failure} failing · {plural(errors, 'error')}"
    )


def last_sweep(at: datetime | None, seconds: float | None) -> str:
    if at is None:
        return "No sweep recorded yet"
    spent = f" (took {format_duration(seconds)})" if seconds is not None else ""
    return f"Last sweep {slack_date(at)}{spent}"


def as_of(now: datetime) -> str:
    return f"As of {slack_date(now)}"


def title(text: str, n: int) -> str:
    """Fixed section titles with a count: ``*Open incidents (3)*``."""
    return f"*{text} ({n})*"


GROUP_NAMES = {"failure": "Failing", "error": "Cannot be checked", "warning": "Warnings", "ok": "Healthy"}
GROUP_WHAT = {
    "failure": "failing tasks",
    "error": "tasks that cannot be checked",
    "warning": "tasks with warnings",
    "ok": "healthy tasks",
}


def group_title(verdict: str, n: int) -> str:
    """``:large_green_circle: *Healthy (450)*``, or ``:red_circle: *Failing (12 more)*`` for the
    problem tasks after the detailed list. Unknown verdict strings are never echoed."""
    count = str(n) if verdict == "ok" else f"{n} more"
    return f"{row_emoji(verdict)} *{GROUP_NAMES.get(verdict, 'Other')} ({count})*"


def group_what(verdict: str) -> str:
    return GROUP_WHAT.get(verdict, "tasks")


def owner(user_id: str | None) -> str:
    return f"owner {user(user_id)}" if user_id else "_unowned_"


def incident_line(link_text: str, kind: str, span: timedelta, owner_text: str) -> str:
    state = "cannot be checked" if kind == "error" else "failing"
    return f"• {row_emoji('error' if kind == 'error' else 'failure')} {link_text} — {state} for {took(span)} · {owner_text}"


def snooze_line(name: str, until: datetime, by: str) -> str:
    return f"• :zzz: {bold(label(name, NAME_MAX))} until {slack_date(until)} · by {user(by)}"


def nothing(what: str) -> str:
    return f"_No {what}._"


def more(n: int, what: str) -> str:
    return f"…and {n} more {what}"


def history_title(task_id: str, sweeps: int) -> str:
    name = bold(label(task_id, NAME_MAX))
    return f":chart_with_upwards_trend: History of {name} · last {plural(sweeps, 'sweep')}"


def no_history(task_id: str) -> str:
    return f":grey_question: No history recorded for {bold(label(task_id, NAME_MAX))} yet."


def trend(what: str, first: int, last: int, span: timedelta | None = None) -> str:
    over = f" over {took(span)}" if span else ""
    return f"{what} {first:,} → {last:,}{over}"


def earlier_sweeps(n: int) -> str:
    return f"_{plural(n, 'earlier sweep')} in the chart only_"


def history_row(at: datetime, verdict: str, failed: int, suspended: int, pending: int) -> str:
    when = slack_date(at, "{date_short} {time}")
    return f"{when} {row_emoji(verdict)} failed {failed:,} · suspended {suspended:,} · pending {pending:,}"


def chart_legend() -> str:
    return (
        "Chart: failed, suspended and pending records over time (log scale), CDC lag on the right "
        "axis when known, and each sweep's verdict as the coloured strip along the bottom."
    )


def alt_text(task_id: str, sweeps: int, failed: str, pending: str, verdict: str) -> str:
    """Plain text for the image's alt text (not mrkdwn): the caller passes cleaned values."""
    return (
        f"Chart of {task_id} over the last {plural(sweeps, 'sweep')}: {failed}; {pending}; "
        f"latest verdict {verdict}."
    )
