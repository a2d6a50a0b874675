"""The daily digest and its words, and the fleet sections it shares with the App Home tab
(:mod:`bot.render.home`): fleet counts, open incidents and their owners, snoozes, the last sweep.

Both read compact rows (latest verdict per task, open alerts, active snoozes; ``bot.core`` types)
and stay inside Slack's limits however big the fleet is: lists are capped and every cut is
summarised ("…and 37 more").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core.alerts import TaskAlert, open_for
from bot.core.durations import format_duration
from bot.core.models import Task
from bot.core.records import Snooze, SweepRow, VerdictRow
from bot.render import words
from bot.render.kit import Block, Builder, SlackMessage, context, header, section
from bot.render.mrkdwn import bold, label, slack_date, user
from bot.render.words import NAME_MAX, plural, row_emoji, took

DIGEST_INCIDENTS = 20
DIGEST_SNOOZES = 10
DIGEST_WARNINGS = 10
LINE_ID_MAX = 60
RANK = {"failure": 0, "error": 1, "warning": 2, "ok": 4}


def fleet_counts(tasks: int, ok: int, warning: int, failure: int, errors: int) -> str:
    return (
        f"*{plural(tasks, 'task')}:* {ok} ok · {plural(warning, 'warning')} · "
        f"{failure} failing · {plural(errors, 'error')}"
    )


def last_sweep_line(at: datetime | None, seconds: float | None) -> str:
    if at is None:
        return "No sweep recorded yet"
    spent = f" (took {format_duration(seconds)})" if seconds is not None else ""
    return f"Last sweep {slack_date(at)}{spent}"


def title(text: str, n: int) -> str:
    """Fixed section titles with a count: ``*Open incidents (3)*``."""
    return f"*{text} ({n})*"


def owner(user_id: str | None) -> str:
    return f"owner {user(user_id)}" if user_id else "_unowned_"


def incident_line(link_text: str, kind: str, span: timedelta, owner_text: str) -> str:
    state = "cannot be checked" if kind == "error" else "failing"
    return f"• {row_emoji('error' if kind == 'error' else 'failure')} {link_text} — {state} for {took(span)} · {owner_text}"


def snooze_line(name: str, until: datetime, by: str) -> str:
    return f"• :zzz: {bold(label(name, NAME_MAX))} until {slack_date(until)} · by {user(by)}"


def digest_fallback(tasks: int, incidents: int, snoozed: int, warnings: int) -> str:
    return (
        f"DMS daily digest: {plural(tasks, 'task')} · {plural(incidents, 'open incident')} · "
        f"{snoozed} snoozed · {plural(warnings, 'warning')}"
    )


def rank(row: VerdictRow) -> tuple[int, int, str]:
    """Sort key, worst first: verdict, bad records, then name."""
    return (RANK.get(row.verdict, 3), -(row.failed_records + row.suspended_records), row.task_id)


def fleet(rows: Sequence[VerdictRow]) -> str:
    count = {v: sum(1 for r in rows if r.verdict == v) for v in ("ok", "warning", "failure", "error")}
    tasks = len(rows) - count["error"]
    return fleet_counts(tasks, count["ok"], count["warning"], count["failure"], count["error"])


def _names(rows: Sequence[VerdictRow], alerts: Sequence[TaskAlert]) -> dict[str, str]:
    known = {a.task_arn: a.task_id for a in alerts}
    known.update({r.task_arn: r.task_id for r in rows if r.task_arn})
    return known


def open_incidents(alerts: Sequence[TaskAlert]) -> list[TaskAlert]:
    """Open incidents, the longest-running first."""
    live = [a for a in alerts if a.open]
    return sorted(live, key=lambda a: (a.opened_at is None, a.opened_at or datetime.min, a.task_id))


def incident(alert: TaskAlert, now: datetime, snoozes: Mapping[str, Snooze]) -> str:
    link = words.task_link(Task(identifier=alert.task_id, arn=alert.task_arn, status=""))
    text = incident_line(link, alert.kind, open_for(alert, now), owner(alert.acked_by))
    snooze = snoozes.get(alert.task_arn)
    return text + (f" · {words.snoozed_until(snooze.until)}" if snooze else "")


def snooze_lines(
    snoozes: Mapping[str, Snooze], rows: Sequence[VerdictRow], alerts: Sequence[TaskAlert]
) -> list[str]:
    """One line per snooze, the soonest to end first, naming the task when it is known."""
    names = _names(rows, alerts)
    ordered = sorted(snoozes.values(), key=lambda s: (s.until, s.task_arn))
    return [snooze_line(names.get(s.task_arn, s.task_arn), s.until, s.by) for s in ordered]


def row_line(row: VerdictRow) -> str:
    """``:red_circle: *orders-cdc* · prod-eu · running · failed 57 — first reason``."""
    line = f"{row_emoji(row.verdict)} {bold(label(row.task_id, LINE_ID_MAX))}{words.kind_mark(row.task_arn)}"
    line += f" · {label(row.target, 30)} · {label(row.status, 30)}"
    if row.failed_records:
        line += f" · failed {row.failed_records:,}"
    known = words.lag(row.cdc_source_seconds, row.cdc_target_seconds)
    if known:
        line += f" · {known}"
    return line + (f" — {label(row.reasons[0], 120)}" if row.reasons else "")


def add_list(
    builder: Builder, heading: str, lines: Sequence[str], *, total: int, what: str, reserve: Sequence[Block]
) -> None:
    """``heading`` then ``lines`` (already capped from ``total``), packed into sections; whatever
    the cap or the budget leaves out is summarised as one "…and N more ``what``" line."""
    if not total:
        builder.add(section(f"{heading}\n_No {what}._"), reserve=reserve)
        return
    hidden = total - len(lines)
    passed = [heading, *lines, *([words.more(hidden, what)] if hidden > 0 else [])]

    def more(n: int) -> str:
        return words.more(min(total, total - len(passed) + n + 1), what)

    builder.add_lines(passed, more=more, reserve=reserve)


def footer(now: datetime, last_sweep: SweepRow | None) -> Block:
    if last_sweep is None:
        return context(last_sweep_line(None, None), words.as_of(now))
    return context(last_sweep_line(last_sweep.checked_at, last_sweep.duration_seconds), words.as_of(now))


def digest_message(
    rows: Sequence[VerdictRow],
    alerts: Sequence[TaskAlert],
    snoozes: Mapping[str, Snooze],
    *,
    now: datetime,
    last_sweep: SweepRow | None,
) -> SlackMessage:
    """The daily digest: fleet counts, open incidents and their owners, snoozes, warnings."""
    builder = Builder()
    bottom = [footer(now, last_sweep)]
    builder.add(header(":newspaper: DMS daily digest"), section(fleet(rows)))
    incidents = open_incidents(alerts)
    lines = [incident(a, now, snoozes) for a in incidents[:DIGEST_INCIDENTS]]
    heading = title("Open incidents", len(incidents))
    add_list(builder, heading, lines, total=len(incidents), what="open incidents", reserve=bottom)
    snoozed = snooze_lines(snoozes, rows, alerts)
    heading = title("Snoozed", len(snoozed))
    add_list(builder, heading, snoozed[:DIGEST_SNOOZES], total=len(snoozed), what="snoozes", reserve=bottom)
    warned = sorted((r for r in rows if r.verdict == "warning"), key=rank)
    lines = [row_line(r) for r in warned[:DIGEST_WARNINGS]]
    heading = title("Warnings", len(warned))
    add_list(builder, heading, lines, total=len(warned), what="tasks with warnings", reserve=bottom)
    builder.add(*bottom)
    return builder.build(digest_fallback(len(rows), len(incidents), len(snoozed), len(warned)))
