"""Hypothesis strategies for render property tests: arbitrary Unicode, hostile names, any counts."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.core.alerts import TaskAlert
from bot.core.models import Report, TaskError, TaskVerdict
from tests.support.render.hostile import HOSTILE
from tests.support.render.sample import NOW, USER, arn, table, task, verdict
from tests.support.render.sample_alerts import row, snooze

CHARS = st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Z", "C"])


text = st.one_of(
    st.text(alphabet=CHARS, max_size=40),
    st.sampled_from(HOSTILE),
    st.text(alphabet=CHARS, min_size=1, max_size=3).map(lambda s: s * 1200),
)


maybe_text = st.none() | text


counts = st.integers(min_value=0, max_value=10**12)


tables = st.builds(
    table,
    name=text,
    validation=maybe_text,
    state=maybe_text,
    schema=text,
    failed=counts,
    suspended=counts,
    pending=counts,
    details=maybe_text,
)


@st.composite
def verdicts(draw: st.DrawFn) -> TaskVerdict:
    n = draw(st.integers(min_value=0, max_value=999))
    t = task(
        draw(text),
        n=n,
        status=draw(text),
        last_failure_message=draw(maybe_text),
        stop_reason=draw(maybe_text),
        arn=draw(st.sampled_from([arn(n), arn(n), "arn:aws:dms:<!x>|:1:task:Z"])),
    )
    return verdict(t, draw(st.lists(tables, max_size=6)), target=draw(text))


errors = st.builds(
    TaskError, target=text, task_id=maybe_text, error=text, task_arn=st.none() | st.just(arn(7)) | text
)


fleets = st.builds(
    lambda tasks, errs: Report(checked_at=NOW, tasks=tuple(tasks), errors=tuple(errs)),
    st.lists(verdicts(), max_size=6),
    st.lists(errors, max_size=3),
)


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


SMALL = SETTINGS.__class__(SETTINGS, max_examples=40)


LONG_ID = "U" * 300  # looks like a user ID, so it is a (harmless) mention


ALLOWED = [USER, "W0ABC", LONG_ID]
# any text but a well-formed user ID, which the bot rightly shows as that user's mention
NOT_AN_ID = text.filter(lambda s: not re.fullmatch(r"[UW][A-Z0-9]+", s))


USERS = st.sampled_from([*ALLOWED, "<@U999>", "<!channel>", ""])


arns = st.sampled_from([arn(1), arn(2), "arn:aws:dms:<!x>|:1:task:Z", "", "x" * 3000])


alerts = st.builds(
    TaskAlert,
    task_arn=arns,
    target=text,
    task_id=text,
    open=st.booleans(),
    kind=st.sampled_from(["failure", "error", "", "<!x>"]),
    summary=text,
    problem_tables=st.lists(text, max_size=5).map(tuple),
    opened_at=st.none() | st.just(NOW - timedelta(hours=3)),
    resolved_at=st.none() | st.just(NOW),
    last_seen_at=st.none() | st.just(NOW),
    acked_by=st.none() | USERS | NOT_AN_ID,
    acked_at=st.none() | st.just(NOW),
)


rows = st.builds(
    row,
    task_id=text,
    n=st.integers(0, 50),
    verdict=st.sampled_from(["ok", "warning", "failure", "error"]) | text,
    failed=counts,
    pending=counts,
    suspended=counts,
    target=text,
    status=text,
    reasons=st.lists(text, max_size=3).map(tuple),
)


snoozes = st.lists(st.builds(snooze, n=st.integers(0, 50), by=USERS | NOT_AN_ID), max_size=5)
