"""The cutover gate in Slack: the ``/dms ready`` answer (every check, blockers first, a "Tell me
when ready" button) and what a watch says in its thread (ready, not ready any more, expired).

Every check's detail comes from DMS, CloudWatch or the target database, and task names from DMS,
so all of it is escaped here; the only ``<…>`` tokens are dates and user mentions made by
:mod:`bot.render.mrkdwn`. :func:`step_outputs` is the Workflow Builder step's plain-text answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.models import Task
from bot.core.readiness import Check, CheckName, CheckStatus, Readiness
from bot.render import kit
from bot.render.buttons import Action, task_scope
from bot.render.kit import Builder, SlackMessage, action_row, context, header, section
from bot.render.mrkdwn import bold, clean, escape, label, slack_date, user
from bot.render.words import NAME_MAX, plural

DETAIL_MAX = 300
LINE_MAX = 500
WATCH_BUTTON = "Tell me when ready"
MARKS = {
    CheckStatus.PASS: "✓",
    CheckStatus.FAIL: "✗",
    CheckStatus.UNKNOWN: "?",
    CheckStatus.SKIP: "\u2013",
}  # the last is an en dash
_VALIDATED = re.compile(r"([\d,]+) of \1 tables Validated")  # the gate's pass detail


def _name(task_id: str) -> str:
    return bold(label(task_id, NAME_MAX))


def check_line(c: Check) -> str:
    """``✗ *cdc_latency* — CDCLatencyTarget 41 s at 09:12 > 5 s``."""
    return f"{MARKS[c.status]} *{c.name.value}* — {escape(c.detail, DETAIL_MAX) or '(no detail)'}"


def _ordered(r: Readiness) -> list[Check]:
    """Blockers first (failed, then unknown), then what passed, then what did not apply."""
    rank = {CheckStatus.FAIL: 0, CheckStatus.UNKNOWN: 1, CheckStatus.PASS: 2, CheckStatus.SKIP: 3}
    return sorted(r.checks, key=lambda c: rank[c.status])  # stable: the gate's order within a rank


def verdict_line(r: Readiness) -> str:
    if r.ready:
        return f":large_green_circle: {_name(r.task_id)} is ready to cut over."
    blocking = plural(len(r.blockers), "blocker")
    return f":red_circle: {_name(r.task_id)} is not ready to cut over: {blocking}."


def _fallback(r: Readiness) -> str:
    state = (
        "ready to cut over" if r.ready else f"not ready to cut over ({plural(len(r.blockers), 'blocker')})"
    )
    return f"{escape(r.task_id, NAME_MAX)}: {state}"


def _notes(title: str, lines: Sequence[str], mark: str) -> str | None:
    if not lines:
        return None
    return "\n".join([f"*{title}*", *(f"{mark} {escape(line, LINE_MAX)}" for line in lines)])


def watch_note(*, watched_by: str, since: datetime, until: datetime) -> str:
    return f":eyes: {user(watched_by)} is watching since {slack_date(since)}, until {slack_date(until)}."


def ready_message(
    r: Readiness,
    *,
    watched_by: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SlackMessage:
    """The answer to ``/dms ready TASK``; the button only while nobody watches the task."""
    out = Builder()
    out.add(header(":vertical_traffic_light: Cutover gate"))
    out.add(section(verdict_line(r)))
    out.add_lines([check_line(c) for c in _ordered(r)], more=lambda n: f"…and {plural(n, 'more check')}")
    for title, lines, mark in (
        ("Caveats", r.caveats, ":warning:"),
        ("People check (the gate cannot)", r.checklist, "☐"),
    ):
        text = _notes(title, lines, mark)
        if text:
            out.add(section(text))
    note = None
    if watched_by is not None and since is not None and until is not None:
        note = watch_note(watched_by=watched_by, since=since, until=until)
    out.add(context(note) if note else None)
    out.add(context(f"Checked {slack_date(r.checked_at)}"))
    scope = None if note else task_scope_for(r)  # nobody watches yet: offer to
    if scope is not None:
        out.add(action_row([kit.button(WATCH_BUTTON, Action.WATCH_READY, scope, style="primary")]))
    return out.build(_fallback(r))


def task_scope_for(r: Readiness) -> dict[str, Any] | None:
    """The button's value: the task by ARN (None for an ARN a button may not carry)."""
    return task_scope(Task(identifier=r.task_id, arn=r.task_arn, status=""))


def watch_anchor_message(
    r: Readiness | None, *, task_id: str, started_by: str, until: datetime
) -> SlackMessage:
    """What a watch posts in the channel when it starts; its thread gets the turns."""
    head = (
        f":eyes: {user(started_by)} asked to be told when {_name(task_id)} is ready to cut over. "
        f"I check every minute until {slack_date(until)} and will say so in this thread."
    )
    lines = [head]
    if r is not None:
        lines.append(verdict_line(r))
        lines.extend(
            check_line(c) for c in _ordered(r) if c.status in (CheckStatus.FAIL, CheckStatus.UNKNOWN)
        )
    fallback = f"Watching {escape(task_id, NAME_MAX)} for cutover readiness"
    out = Builder()
    out.add_lines(lines, more=lambda n: f"…and {plural(n, 'more blocker')}")
    return out.build(fallback)


def amount(seconds: float) -> str:
    """``5 s``, ``5 min``, ``1h 30m``: how the green sentence says a duration."""
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return format_duration(seconds)


def _tables_part(r: Readiness) -> str | None:
    found = r.check(CheckName.VALIDATION_COMPLETE)
    if found is None or found.status is not CheckStatus.PASS:
        return None
    counted = _VALIDATED.match(found.detail)
    if counted is None:  # worded otherwise: the gate's own evidence
        return clean(found.detail)[:DETAIL_MAX]
    return f"{counted[1]} {'table' if counted[1] == '1' else 'tables'} validated"


def _rows_part(r: Readiness) -> str | None:
    found = r.check(CheckName.FAILED_ROWS)
    if found is None:
        return None
    return {CheckStatus.PASS: "0 failed rows", CheckStatus.SKIP: "failed rows not read"}.get(found.status)


def ready_summary(r: Readiness, *, max_lag: float, steady: float) -> str:
    """ "orders-cdc is ready to cut over: lag ≤ 5 s for 5 min, 1,204 tables validated, 0 failed rows"
    (plain text: the workflow step's summary, escaped by whoever puts it in mrkdwn)."""
    parts = [f"lag ≤ {amount(max_lag)} for {amount(steady)}", _tables_part(r), _rows_part(r)]
    return f"{clean(r.task_id)[:NAME_MAX]} is ready to cut over: {', '.join(p for p in parts if p)}"


def turned_ready_reply(r: Readiness, *, max_lag: float, steady: float, started_by: str) -> SlackMessage:
    summary = escape(ready_summary(r, max_lag=max_lag, steady=steady), 2000)
    checklist = _notes("Now the people's checklist", r.checklist, "☐")
    blocks = [section(f":large_green_circle: {summary} {user(started_by)}")]
    blocks += [section(checklist)] if checklist else []
    return kit.message(summary, blocks)


def turned_not_ready_reply(r: Readiness, *, started_by: str) -> SlackMessage:
    head = f":red_circle: {_name(r.task_id)} is not ready to cut over any more. {user(started_by)}"
    out = Builder()
    out.add_lines(
        [head, *(f"✗ {escape(b, LINE_MAX)}" for b in r.blockers)],
        more=lambda n: f"…and {plural(n, 'more blocker')}",
    )
    return out.build(f"{escape(r.task_id, NAME_MAX)} is not ready to cut over any more")


def watch_expired_reply(
    *, task_id: str, started_by: str, watched_for: float, ready: bool | None
) -> SlackMessage:
    if ready is None:
        state = "the gate could not be judged yet"
    else:
        state = f"it was {'' if ready else 'not '}ready at the last check"
    text = (
        f":hourglass: Stopped watching {_name(task_id)} after {format_duration(watched_for)}: {state}. "
        f"{user(started_by)} `/dms ready {escape(task_id, NAME_MAX)} watch` watches again."
    )
    fallback = f"Stopped watching {escape(task_id, NAME_MAX)} for cutover readiness after {format_duration(watched_for)}"
    return kit.message(fallback, [section(text)])


def watch_gone_reply(*, task_id: str, started_by: str) -> SlackMessage:
    text = f":wastebasket: Stopped watching {_name(task_id)}: DMS no longer has that task. {user(started_by)}"
    return kit.message(f"Stopped watching {escape(task_id, NAME_MAX)}: the task is gone", [section(text)])


def already_watching_message(
    *, task_id: str, started_by: str, since: datetime, until: datetime
) -> SlackMessage:
    text = (
        f":eyes: {user(started_by)} is already watching {_name(task_id)} (since {slack_date(since)}, "
        f"until {slack_date(until)}); the answer will be in that watch's thread."
    )
    return kit.message(f"{escape(task_id, NAME_MAX)} is already being watched", [section(text)])


def watching_now_message(*, task_id: str, until: datetime) -> SlackMessage:
    text = (
        f":eyes: Watching {_name(task_id)} until {slack_date(until)}: I posted in this channel and "
        "will say in that thread when it is ready to cut over."
    )
    return kit.message(f"Watching {escape(task_id, NAME_MAX)} for cutover readiness", [section(text)])


def step_outputs(r: Readiness, *, max_lag: float, steady: float) -> dict[str, Any]:
    """The Workflow Builder step's outputs: plain text (a workflow shows it as it is)."""
    if r.ready:
        summary = ready_summary(r, max_lag=max_lag, steady=steady)
    else:
        summary = (
            f"{clean(r.task_id)[:NAME_MAX]} is not ready to cut over: {plural(len(r.blockers), 'blocker')}"
        )
    return {"ready": r.ready, "summary": summary, "blockers": "\n".join(clean(b) for b in r.blockers)}


STEP_SENTENCE_MAX = 500


def step_failure(text: str) -> str:
    """One plain sentence for ``functions.completeError`` (Slackbot shows it to the workflow's user)."""
    return clean(text)[:STEP_SENTENCE_MAX]


def step_unknown_task(name: str, suggestions: Sequence[str]) -> str:
    close = f" (did you mean {', '.join(suggestions[:3])}?)" if suggestions else ""
    return step_failure(f"Unknown DMS task '{clean(name)[:NAME_MAX]}'{close}.")


def step_ambiguous_task(name: str, candidates: Sequence[str]) -> str:
    some = ", ".join(candidates[:5])
    return step_failure(
        f"'{clean(name)[:NAME_MAX]}' matches several DMS tasks ({some}): use the full identifier."
    )
