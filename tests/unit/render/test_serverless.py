"""Every message family with a DMS Serverless replication (``kind = serverless``, told by its
``replication-config`` ARN): its console link is the replication's page, the words say
"replication" where a task's say "task", its buttons carry its ARN, and what DMS or a user named it
is escaped like anything else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.failures import FailurePage
from bot.core.models import TaskKind, TaskVerdict
from bot.render.alert import alert_message, confirm_text, resolved_message
from bot.render.alert_replies import revalidate_reply, snooze_reply
from bot.render.buttons import decode_value, encode_value, is_task_arn
from bot.render.digest import digest_message
from bot.render.failures import failures_message
from bot.render.history import history_message
from bot.render.home import home_view
from bot.render.mrkdwn import console_url
from bot.render.report import fleet_message, report_message
from bot.render.task import problem_tables_message, tables_message, task_message
from bot.render.terminal import render_report
from bot.render.words import task_link
from tests.support.render.blockutil import all_text, buttons, header_text, value
from tests.support.render.hostile import HOSTILE
from tests.support.render.limits import assert_safe, assert_view_safe
from tests.support.render.sample import NOW, USER, failing_tables, healthy_tables, report, task, verdict
from tests.support.render.sample_alerts import alert, history, row, snooze, sweep

RESOURCE_ID = "OZRAVXDSNFCUTG5UZNI6HRDWVY"
CONFIG_ARN = f"arn:aws:dms:eu-west-1:123456789012:replication-config:{RESOURCE_ID}"
REPLICATION_PAGE = "https://eu-west-1.console.aws.amazon.com/dms/v2/home?region=eu-west-1"


def failing_replication(identifier: str = "orders-serverless") -> TaskVerdict:
    return verdict(task(identifier, arn=CONFIG_ARN), failing_tables(2))


def test_the_kind_is_told_by_the_arn_and_buttons_accept_a_config_arn() -> None:
    assert task("x", arn=CONFIG_ARN).kind is TaskKind.SERVERLESS
    assert is_task_arn(CONFIG_ARN)
    assert decode_value(encode_value({"task": CONFIG_ARN})) == {"task": CONFIG_ARN}
    for bad in (CONFIG_ARN + "<!channel>", CONFIG_ARN.replace("replication-config", "replication-configs")):
        assert not is_task_arn(bad)


def test_the_console_link_is_the_replication_page_and_the_name_says_serverless() -> None:
    t = task("orders-serverless", arn=CONFIG_ARN)
    assert console_url(t) == f"{REPLICATION_PAGE}#serverlessReplicationDetails/orders-serverless"
    assert console_url(task("orders-cdc")).endswith("#taskDetails/orders-cdc")
    assert task_link(t) == f"*<{console_url(t)}|orders-serverless>* · _serverless_"
    assert "_serverless_" not in task_link(task("orders-cdc"))


def test_the_alert_names_a_replication_and_its_revalidate_says_reload_replication_tables() -> None:
    v = failing_replication()
    a = alert("orders-serverless", task_arn=CONFIG_ARN)
    msg = alert_message(a, v, now=NOW)
    assert header_text(msg) == ":red_circle: DMS Serverless replication failing"
    assert "#serverlessReplicationDetails/orders-serverless" in all_text(msg)
    revalidate = buttons(msg)["Revalidate"]
    assert decode_value(revalidate["value"]) == {"task": CONFIG_ARN}
    dialog = revalidate["confirm"]["text"]["text"]
    assert "of this replication (ReloadReplicationTables, validate-only" in dialog
    assert value(msg, "Acknowledge") == {"task": CONFIG_ARN}
    assert value(msg, "Re-check") == {"scope": "task", "task": CONFIG_ARN}
    error = alert_message(replace(a, kind="error"), None, now=NOW)
    assert header_text(error) == ":warning: DMS Serverless replication cannot be checked"
    assert "The replication no longer exists in DMS." in all_text(error)
    assert len(confirm_text(10, at_least=True, kind=TaskKind.SERVERLESS)) <= 300


def test_a_task_alert_keeps_its_words() -> None:
    msg = alert_message(alert(), verdict(task("orders-cdc"), failing_tables(2)), now=NOW)
    assert header_text(msg) == ":red_circle: DMS task failing"
    assert (
        "of this task (ReloadTables, validate-only" in buttons(msg)["Revalidate"]["confirm"]["text"]["text"]
    )


def test_resolved_and_thread_replies_use_the_replication_words() -> None:
    a = replace(alert("orders-serverless", task_arn=CONFIG_ARN), open=False, resolved_at=NOW)
    gone = resolved_message(a, None, now=NOW)
    assert ":ghost: The replication no longer exists" in all_text(gone)
    assert "the replication no longer exists" in gone.text
    sent = revalidate_reply(user_id="U0OPS", tables=12, requests=2, error=None, kind=TaskKind.SERVERLESS)
    assert "(2 ReloadReplicationTables requests)" in sent.text
    failed = revalidate_reply(
        user_id="U0OPS",
        tables=3,
        requests=1,
        error="<!channel> InvalidResourceStateFault",
        kind=TaskKind.SERVERLESS,
    )
    assert "after 1 ReloadReplicationTables request" in failed.text and "<!channel>" not in failed.text
    assert (
        "snoozed this replication until"
        in snooze_reply(user_id="U0OPS", until=NOW + timedelta(hours=4), kind=TaskKind.SERVERLESS).text
    )


def test_status_tables_and_show_tables_work_for_a_replication() -> None:
    v = failing_replication()
    status = task_message(v)
    text = all_text(status)
    assert "#serverlessReplicationDetails/orders-serverless" in text and "_serverless_" in text
    assert value(status, "Share in channel") == {"command": "status orders-serverless"}
    tables = tables_message(v.task, failing_tables(2)[:2], state=None, page=0, total=2)
    assert "orders-serverless" in all_text(tables) and "sales.bad0" in all_text(tables)
    shown = problem_tables_message([v])
    assert "_serverless_" in all_text(shown)
    for msg in (status, tables, shown):
        assert_safe(msg)


def test_report_and_fleet_show_the_replication_beside_tasks() -> None:
    tasks_and_one = [failing_replication(), verdict(task("orders-cdc"), healthy_tables())]
    msg = report_message(report(tasks_and_one))
    assert "#serverlessReplicationDetails/orders-serverless" in all_text(msg)
    fleet = fleet_message(report(tasks_and_one))
    assert "orders-serverless" in all_text(fleet)
    for m in (msg, fleet):
        assert_safe(m)


def test_history_digest_and_home_work_for_a_replication() -> None:
    rows = [replace(r, task_arn=CONFIG_ARN, task_id="orders-serverless") for r in history(6)]
    shown = history_message("orders-serverless", rows, now=NOW)
    assert "orders-serverless" in all_text(shown)
    a = alert("orders-serverless", task_arn=CONFIG_ARN)
    fleet_rows = [
        replace(row("orders-serverless", verdict="failure", failed=3), task_arn=CONFIG_ARN),
        row("orders-cdc", n=2),
    ]
    snoozes = {CONFIG_ARN: replace(snooze(), task_arn=CONFIG_ARN)}
    digest = digest_message(fleet_rows, [a], snoozes, now=NOW, last_sweep=sweep(2))
    text = all_text(digest)
    assert "#serverlessReplicationDetails/orders-serverless" in text and "_serverless_" in text
    home = home_view(fleet_rows, [a], snoozes, now=NOW, last_sweep=sweep(2))
    assert "#serverlessReplicationDetails/orders-serverless" in str(home)
    assert_safe(shown)
    assert_safe(digest, users=[USER])
    assert_view_safe(home, users=[USER])


def test_failed_rows_page_of_a_replication() -> None:
    msg = failures_message(
        task("orders-serverless", arn=CONFIG_ARN),
        endpoint="orders-aurora",
        engine="aurora-postgresql",
        page=FailurePage(total=0, by_type={}, rows=()),
    )
    assert "#serverlessReplicationDetails/orders-serverless" in all_text(msg)
    assert_safe(msg)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_replication_names_are_inert_everywhere(name: str) -> None:
    v = verdict(task(name, arn=CONFIG_ARN, status=name), failing_tables(2), target=name)
    a = alert(name, task_arn=CONFIG_ARN)
    for msg in (
        task_message(v),
        alert_message(a, v, now=NOW),
        report_message(report([v])),
        history_message(name, [replace(r, task_id=name, task_arn=CONFIG_ARN) for r in history(3)], now=NOW),
        digest_message([replace(row(name), task_arn=CONFIG_ARN)], [a], {}, now=NOW, last_sweep=None),
    ):
        assert_safe(msg)


def test_the_terminal_report_marks_the_replication() -> None:
    text = render_report(report([failing_replication(), verdict(task("orders-cdc"), healthy_tables())]))
    assert "FAILURE  orders-serverless [serverless] (prod-eu) · running" in text
    assert "OK       orders-cdc (prod-eu) · running" in text
