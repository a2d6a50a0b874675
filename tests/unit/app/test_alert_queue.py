"""AlertQueue: the failed-rows reply in the alert's thread when tables join an incident, queued once
per effect from what the sweep already read, and never when no database is configured."""

from __future__ import annotations

from dataclasses import replace

from bot.app.alert_queue import AlertQueue, post_key
from bot.core.alerts import Effect, Step, TaskAlert
from bot.core.failures import RowFailures, TableFailures, TaskFailures
from bot.core.models import TaskVerdict
from bot.settings import Settings, Target
from bot.store.base import OutboxItem
from bot.store.sqlite import SqliteStore
from tests.support.render.sample import NOW, failing
from tests.support.render.sample_alerts import alert

CHANNEL = "C0ALERTS01"
SUMMARY = RowFailures(
    summary=TaskFailures(
        {
            "sales.bad0": TableFailures(4, {"RECORD_DIFF": 3, "MISSING_TARGET": 1}, (("101",), ("102",))),
            "sales.bad1": TableFailures(2, {"MISSING_SOURCE": 2}, (("<!channel>",),)),
        }
    )
)


def queue_and_store() -> tuple[AlertQueue, SqliteStore]:
    store = SqliteStore(":memory:")
    settings = Settings(targets=(Target(name="prod-eu", channel=CHANNEL),))
    return AlertQueue(store=store, settings=settings), store


def outbox(store: SqliteStore) -> list[OutboxItem]:
    """Every item queued, in order (a refused duplicate may leave a gap in the ids)."""
    found = (store.get_item(i) for i in range(1, 50))
    return [item for item in found if item is not None]


def seen(row_failures: RowFailures | None) -> TaskVerdict:
    return replace(failing("orders-cdc", 1), row_failures=row_failures)


def opened() -> TaskAlert:
    return alert(channel=CHANNEL, announced=True)


def failed_rows_replies(store: SqliteStore) -> list[OutboxItem]:
    return [i for i in outbox(store) if ":failed_rows:" in i.key]


def test_the_first_post_gets_one_reply_with_its_tables_failed_rows_however_often_it_is_queued() -> None:
    queue, store = queue_and_store()
    a = opened()
    for _ in range(2):  # the same decision again (a restart) queues nothing twice
        queue.effects(a, Step(a, (Effect.POST,)), seen(SUMMARY), tag="sweep1", now=NOW, snoozed_until=None)
    [reply] = failed_rows_replies(store)
    assert reply.kind == "slack.thread"
    assert reply.key == f"alert:{a.task_arn}:1:failed_rows:post"
    assert reply.payload["post_key"] == post_key(a.task_arn, 1)
    text = str(reply.payload["blocks"])
    assert (
        "*sales.bad0*: 4 failed rows: 3 values differ, 1 missing on the target · newest keys 101, 102" in text
    )
    assert "*sales.bad1*: 2 failed rows: 2 only on the target · key &lt;!channel&gt;" in text
    assert [i.kind for i in outbox(store)] == ["slack.post", "slack.thread"]


def test_tables_joining_an_open_incident_get_one_reply_about_those_tables_only() -> None:
    queue, store = queue_and_store()
    a = opened()
    step = Step(a, (Effect.UPDATE, Effect.NEW_TABLES), new_tables=("sales.bad1",))
    for _ in range(2):
        queue.effects(a, step, seen(SUMMARY), tag="sweep7", now=NOW, snoozed_until=None)
    [reply] = failed_rows_replies(store)
    assert reply.key == f"alert:{a.task_arn}:1:failed_rows:new_tables:sweep7"
    text = str(reply.payload["blocks"])
    assert "sales.bad1" in text and "sales.bad0" not in text
    later = Step(a, (Effect.NEW_TABLES,), new_tables=("sales.bad0",))
    queue.effects(a, later, seen(SUMMARY), tag="sweep8", now=NOW, snoozed_until=None)
    assert len(failed_rows_replies(store)) == 2  # a later sweep's new table is a new reply


def test_no_reply_when_no_database_is_configured_for_the_task() -> None:
    queue, store = queue_and_store()
    a = opened()
    queue.effects(a, Step(a, (Effect.POST,)), seen(None), tag="sweep1", now=NOW, snoozed_until=None)
    step = Step(a, (Effect.NEW_TABLES,), new_tables=("sales.bad1",))
    queue.effects(a, step, seen(None), tag="sweep2", now=NOW, snoozed_until=None)
    assert failed_rows_replies(store) == []
    assert [i.kind for i in outbox(store)] == ["slack.post", "slack.thread"]  # the new-tables reply only


def test_a_database_that_could_not_be_read_is_said_in_the_reply_with_why() -> None:
    queue, store = queue_and_store()
    a = opened()
    failures = RowFailures(error="connection to pg.internal:5432 refused")
    queue.effects(a, Step(a, (Effect.POST,)), seen(failures), tag="sweep1", now=NOW, snoozed_until=None)
    [reply] = failed_rows_replies(store)
    assert "could not be read for failed rows: connection to pg.internal:5432 refused" in str(
        reply.payload["blocks"]
    )


def test_the_alert_post_itself_carries_the_failed_rows_button_only_when_configured() -> None:
    for failures, shown in ((SUMMARY, True), (None, False)):
        queue, store = queue_and_store()
        a = opened()
        queue.effects(a, Step(a, (Effect.POST,)), seen(failures), tag="s", now=NOW, snoozed_until=None)
        post = outbox(store)[0]
        assert ("dms_failed_rows" in str(post.payload["blocks"])) is shown
