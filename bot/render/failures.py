"""Failed rows in Slack and their words: ``/dms failures <task> [schema.table]`` (also the alert's
**Failed rows** answer), the thread reply when tables join an incident, and the Failed rows button.

Keys, details, table names and even failure types come from the target database and may hold
anything (``<!channel>``, mrkdwn, 10,000 characters, invalid JSON): each is escaped and clipped
here, and :class:`~bot.render.kit.Builder` keeps the message within Slack's limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import ButtonElement

from bot.core.failures import (
    FailurePage,
    FailureRow,
    Key,
    RowFailures,
    TableFailures,
    failure_words,
    key_text,
)
from bot.core.models import Task
from bot.render import words
from bot.render.buttons import Action, plain_table, share_command
from bot.render.kit import Block, Builder, SlackMessage, action_row, button, header, section
from bot.render.mrkdwn import bold, escape, label, slack_date
from bot.render.task import NEXT_BUTTON, PREVIOUS_BUTTON
from bot.render.words import ERROR_EMOJI, NAME_MAX, TABLE_NAME_MAX, plural

FAILED_ROWS_BUTTON = "Failed rows"
FAILURES_HEADER = "DMS failed rows"
KIND_MAX = 60
KEY_MAX = 120
DETAILS_MAX = 200
SAMPLE_KEY_MAX = 60
SAMPLE_KEYS = 5
ERROR_MAX = 500
WHEN_FORMAT = "{date_short_pretty} {time_secs}"


def kind_words(failure_type: str) -> str:
    """``RECORD_DIFF`` -> "values differ"; a type DMS adds later is shown escaped, as it is."""
    return label(failure_words(failure_type), KIND_MAX)


def counts_text(total: int, by_type: Mapping[str, int]) -> str:
    """``15 failed rows: 9 values differ, 3 missing on the target``, largest first."""
    if not total:
        return "no failed rows"
    if not by_type:
        return plural(total, "failed row")
    kinds = sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    return f"{plural(total, 'failed row')}: " + ", ".join(f"{n} {kind_words(k)}" for k, n in kinds)


def key_words(key: Key, limit: int = KEY_MAX) -> str:
    return label(key_text(key), limit)


def row_line(row: FailureRow) -> str:
    """``• <date> · *sales.orders* · values differ · key 1007 — details``."""
    when = slack_date(row.failure_time, WHEN_FORMAT) if row.failure_time else "time unknown"
    details = f" — {escape(row.details, DETAILS_MAX)}" if row.details.strip() else ""
    table = bold(label(row.name, TABLE_NAME_MAX))
    resync = f" · _{escape(row.resync, KIND_MAX)}_" if row.resync else ""
    return f"• {when} · {table} · {kind_words(row.failure_type)}{resync} · key {key_words(row.key)}{details}"


def where_line(task: Task, endpoint: str, engine: str, table: tuple[str, str] | None) -> str:
    which = f" · table {bold(label('.'.join(table), TABLE_NAME_MAX))}" if table else ""
    target = f"target endpoint {bold(label(endpoint, NAME_MAX))} ({label(engine, 40)})"
    return f"{words.task_link(task)}{which} · {target}"


def page_words(number: int, pages: int, shown: int) -> str:
    return f"newest first · page {number + 1} of {pages}" if pages > 1 else f"newest first · {shown} shown"


def no_failed_rows() -> str:
    return ":white_check_mark: DMS's control table holds no failed rows for this."


def past_the_end() -> str:
    return "No rows on this page any more: the table changed since the last page."


def more_rows(n: int) -> str:
    return f"…and {plural(n, 'more row')} on this page not shown"


def failures_fallback(task_id: str, total: int, by_type: Mapping[str, int]) -> str:
    return f"{label(task_id, NAME_MAX)}: {counts_text(total, by_type)}"


def failed_rows_button(task_arn: str) -> ButtonElement | None:
    """The alert's **Failed rows** button (None for an ARN a button may not carry)."""
    return button(FAILED_ROWS_BUTTON, Action.FAILED_ROWS, {"task": task_arn})


def _page_buttons(task: Task, table: tuple[str, str] | None, number: int, pages: int) -> Block | None:
    """Previous/Next where there is such a page, and Share. A table filter that is not plain text
    is not echoed into button values: no paging or sharing of it, only this page."""
    echo = plain_table(".".join(table)) if table else None
    if table and echo is None:
        return None
    named = {"table": echo} if echo else {}

    def to(n: int) -> dict[str, Any]:
        return {"task": task.arn, "page": n, **named}

    extra = (echo,) if echo else ()
    return action_row(
        [
            button(PREVIOUS_BUTTON, Action.FAILURES_PAGE, to(number - 1)) if number > 0 else None,
            button(NEXT_BUTTON, Action.FAILURES_PAGE, to(number + 1)) if number + 1 < pages else None,
            button(words.SHARE_BUTTON, Action.SHARE, share_command("failures", task, *extra)),
        ]
    )


def failures_message(
    task: Task,
    *,
    endpoint: str,
    engine: str,
    page: FailurePage,
    number: int = 0,
    per_page: int = 10,
    table: tuple[str, str] | None = None,
) -> SlackMessage:
    """One page of ``/dms failures``: where it was read, counts by kind, then one line per row.

    ``page.rows`` are this page's rows (newest first); ``page.total`` counts every matching row.
    """
    per_page = max(per_page, 1)
    pages = max(1, -(-max(page.total, 0) // per_page))
    rows = [row_line(r) for r in page.rows[:per_page]]
    footer = [b for b in [_page_buttons(task, table, number, pages)] if b is not None]
    lines = [where_line(task, endpoint, engine, table), bold(counts_text(page.total, page.by_type))]
    if page.total:
        lines.append(page_words(number, pages, len(rows)))
    if not rows:
        lines.append(no_failed_rows() if not page.total else past_the_end())
    builder = Builder()
    builder.add(header(FAILURES_HEADER))
    builder.add(section("\n".join(lines)), reserve=footer)
    builder.add_lines(rows, more=more_rows, reserve=footer)
    builder.add(*footer)
    return builder.build(failures_fallback(task.identifier, page.total, page.by_type))


def unreadable(error: str) -> str:
    return f"{ERROR_EMOJI} The target database could not be read for failed rows: {escape(error, ERROR_MAX)}"


def table_line(name: str, found: TableFailures | None) -> str:
    """``• *sales.orders*: 3 failed rows: 2 values differ, 1 only on the target · keys 7, 8``."""
    shown = bold(label(name, TABLE_NAME_MAX))
    if found is None or not found.total:
        return f"• {shown}: no failed rows recorded yet"
    keys = ", ".join(key_words(k, SAMPLE_KEY_MAX) for k in found.sample_keys[:SAMPLE_KEYS])
    sample = f" · {'key' if len(found.sample_keys) == 1 else 'newest keys'} {keys}" if keys else ""
    return f"• {shown}: {counts_text(found.total, found.by_type)}{sample}"


def more_tables(n: int) -> str:
    return f"…and {plural(n, 'more table')} not shown"


def table_failures_reply(
    task_id: str, failures: RowFailures, tables: Sequence[tuple[str, str]]
) -> SlackMessage:
    """Thread: the failed rows of the ``(schema, table)`` tables that joined the incident (counts by
    kind, up to five newest keys each), or why the target database could not be read."""
    fallback = f"{label(task_id, NAME_MAX)}: failed rows of {plural(len(tables), 'table')}"
    if failures.error is not None:
        return _single(unreadable(failures.error), fallback)
    lines = [table_line(f"{schema}.{name}", failures.for_table(schema, name)) for schema, name in tables]
    builder = Builder()
    builder.add(section(":mag: *Failed rows* in the target database (newest keys first):"))
    builder.add_lines(lines, more=more_tables)
    return builder.build(fallback)


def _single(text: str, fallback: str) -> SlackMessage:
    builder = Builder()
    builder.add(section(text))
    return builder.build(fallback)
