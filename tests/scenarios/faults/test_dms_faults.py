"""DMS misbehaving during a scheduled sweep: every fault ends as an ``errors`` entry for the tasks it
touched (never a healthy or failed verdict), the rest of the fleet is judged as usual, the bot goes
on sweeping, and Slack hears about a task only once it could not be checked twice in a row."""

from __future__ import annotations

import time

from bot.core.models import Report, Verdict
from bot.sim import FaultRule
from tests.scenarios.faults.conftest import MakeBot
from tests.support.inprocess import posts_about, small_fleet

STATS = "DescribeTableStatistics"
LIST = "DescribeReplicationTasks"
HEALTHY = {"crm-cdc": Verdict.OK, "inventory-cdc": Verdict.OK, "orders-cdc": Verdict.OK}


def verdicts(report: Report) -> dict[str, Verdict]:
    return {v.task.identifier: v.verdict for v in report.tasks}


def errors(report: Report) -> dict[str | None, str]:
    return {e.task_id: e.kind for e in report.errors}


def assert_only_errored(report: Report, task: str, kind: str) -> None:
    """``task`` is an error of ``kind`` and nothing else; every other task has its true verdict."""
    assert errors(report) == {task: kind}
    expected = {"billing-cdc": Verdict.FAILURE, **HEALTHY}
    del expected[task]
    assert verdicts(report) == expected
    assert report.failed  # an error is never a success


def test_throttling_beyond_botocore_retries_makes_that_task_an_error(make_bot: MakeBot) -> None:
    """Throttled on every attempt: the task is an error (not OK, not failed), the others are judged."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS, task="crm-cdc", count=2)])
    report = bot.sweep()
    assert_only_errored(report, "crm-cdc", "ThrottlingException")
    [error] = report.errors
    assert "DMS is throttling" in error.error
    assert bot.sim.counters()["throttled"] == {STATS: 2}  # max_attempts=2: one retry, then give up


def test_a_throttle_storm_alerts_once_and_recovers_once(make_bot: MakeBot) -> None:
    """Two throttled sweeps post one "cannot be checked" alert; the next good sweep resolves it."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS, task="crm-cdc", count=4)])
    bot.sweep()
    assert posts_about(bot.slack, "crm-cdc") == []  # one unchecked sweep is not worth a page
    bot.sweep()
    [post] = posts_about(bot.slack, "crm-cdc")
    assert "cannot be checked" in post.params["text"] and "throttling" in post.params["text"]
    report = bot.sweep()  # the storm is over
    assert verdicts(report)["crm-cdc"] is Verdict.OK
    assert len(posts_about(bot.slack, "crm-cdc")) == 1
    recovered = [
        r for r in bot.slack.requests("chat.postMessage") if r.params.get("thread_ts") == post.response["ts"]
    ]
    assert len(recovered) == 1 and "ecovered" in recovered[0].params["text"]


def test_a_throttle_within_retries_is_invisible(make_bot: MakeBot) -> None:
    """One throttled attempt is retried by botocore: every task is judged, nothing is an error."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="throttle", op=STATS, task="crm-cdc", count=1)])
    report = bot.sweep()
    assert report.errors == ()
    assert verdicts(report) == {"billing-cdc": Verdict.FAILURE, **HEALTHY}


def test_dms_bucket_smaller_than_the_client_budget(make_bot: MakeBot) -> None:
    """DMS's own bucket runs dry mid-sweep: throttled tasks are errors, the rest judged, next sweep clean."""
    bot = make_bot(sim_options={"throttling": True, "bucket_capacity": 3, "bucket_refill": 0.01})
    report = bot.sweep()
    assert bot.sim.counters()["throttled"], "the simulator never throttled"
    assert report.errors and set(errors(report).values()) == {"ThrottlingException"}
    judged = {"billing-cdc": Verdict.FAILURE, **HEALTHY}
    assert all(judged[name] is verdict for name, verdict in verdicts(report).items())
    assert set(verdicts(report)) | set(errors(report)) == set(judged)
    bot.sim.set_throttling(capacity=100, refill=4)
    assert bot.sweep().errors == ()


def test_persistent_500s_make_that_task_an_error(make_bot: MakeBot) -> None:
    """HTTP 500 on every attempt: an error saying DMS answered 500; nothing else is affected."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="http_500", op=STATS, task="orders-cdc")])
    report = bot.sweep()
    assert_only_errored(report, "orders-cdc", "InternalFailure")
    assert "HTTP 500" in report.errors[0].error


def test_transient_503s_are_retried(make_bot: MakeBot) -> None:
    """One 503 per task is absorbed by botocore's retry: a clean sweep."""
    bot = make_bot()
    tasks = ("orders-cdc", "billing-cdc", "crm-cdc", "inventory-cdc")
    # One 503 per task (not 4 shared ones: concurrent tasks could take two of them, exhausting a retry).
    bot.sim.set_faults([FaultRule(kind="http_503", op=STATS, task=t, count=1) for t in tasks])
    report = bot.sweep()
    assert report.errors == ()
    assert bot.sim.counters()["errors"] == {STATS: 4}


def test_listing_outage_reports_the_target_and_keeps_open_alerts_open(make_bot: MakeBot) -> None:
    """503s on DescribeReplicationTasks: one listing error, no task judged, no alert resolved by it."""
    bot = make_bot()
    billing = next(v.task.arn for v in bot.sweep().tasks if v.task.identifier == "billing-cdc")
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    bot.sim.set_faults([FaultRule(kind="http_503", op=LIST)])
    report = bot.sweep()
    assert report.tasks == () and errors(report) == {None: "ServiceUnavailable"}
    bot.sim.set_faults([])
    bot.sweep()
    replies = [r for r in bot.slack.requests("chat.postMessage") if "thread_ts" in r.params]
    assert replies == []  # billing-cdc was never declared recovered
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    alert = bot.store.get_alert(billing)
    assert alert is not None and alert.open


def test_answers_slower_than_the_read_timeout(make_bot: MakeBot) -> None:
    """DMS slower than read_timeout (1 s) on every attempt: the task is an error, the sweep finishes."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="delay", op=STATS, task="inventory-cdc", seconds=1.6, count=2)])
    started = time.monotonic()
    report = bot.sweep()
    assert time.monotonic() - started < 6
    assert_only_errored(report, "inventory-cdc", "Unavailable")
    assert "did not answer in time" in report.errors[0].error


def test_connection_resets(make_bot: MakeBot) -> None:
    """A reset on every attempt is an error; a single reset is retried and invisible."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="reset", op=STATS, task="crm-cdc")])
    report = bot.sweep()
    assert_only_errored(report, "crm-cdc", "Unavailable")
    assert "closed the connection" in report.errors[0].error
    bot.sim.set_faults([FaultRule(kind="reset", op=STATS, task="crm-cdc", count=1)])
    assert bot.sweep().errors == ()


def test_task_deleted_between_listing_and_statistics(make_bot: MakeBot) -> None:
    """Listed, then gone (ResourceNotFoundFault): an error this sweep, simply absent the next."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="delete_task", op=STATS, task="crm-cdc", count=1)])
    report = bot.sweep()
    assert_only_errored(report, "crm-cdc", "ResourceNotFoundFault")
    report = bot.sweep()
    assert report.errors == () and "crm-cdc" not in verdicts(report)
    assert posts_about(bot.slack, "crm-cdc") == []


def test_failing_task_deleted_mid_sweep_resolves_as_gone(make_bot: MakeBot) -> None:
    """An open incident whose task is deleted: kept open while unseen, then resolved as "gone"."""
    bot = make_bot()
    bot.sweep()
    [post] = posts_about(bot.slack, "billing-cdc")
    bot.sim.set_faults([FaultRule(kind="delete_task", op=STATS, task="billing-cdc", count=1)])
    report = bot.sweep()
    assert errors(report) == {"billing-cdc": "ResourceNotFoundFault"}
    bot.sweep()
    updates = [u for u in bot.slack.requests("chat.update") if u.params["ts"] == post.response["ts"]]
    assert "no longer exists" in str(updates[-1].params) or "gone" in str(updates[-1].params).lower()
    assert len(posts_about(bot.slack, "billing-cdc")) == 1


def test_invalid_resource_state(make_bot: MakeBot) -> None:
    """InvalidResourceStateFault on the statistics call is that task's error."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="invalid_state", op=STATS, task="orders-cdc")])
    assert_only_errored(bot.sweep(), "orders-cdc", "InvalidResourceStateFault")


def test_access_denied_on_one_task_and_on_the_listing(make_bot: MakeBot) -> None:
    """AccessDeniedFault: on one task's statistics, that task's error; on the listing, the target's."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="access_denied", op=STATS, task="orders-cdc")])
    assert_only_errored(bot.sweep(), "orders-cdc", "AccessDeniedFault")
    bot.sim.set_faults([FaultRule(kind="access_denied", op=LIST)])
    report = bot.sweep()
    assert report.tasks == () and errors(report) == {None: "AccessDeniedFault"}


def test_missing_fields_and_unknown_enums_are_warnings_never_ok(make_bot: MakeBot) -> None:
    """Tables without states, states and statuses the bot does not know: warnings, never OK."""
    bot = make_bot()
    bot.sim.set_faults(
        [
            FaultRule(kind="missing_fields", op=STATS, task="crm-cdc"),
            FaultRule(kind="unknown_enum", op=STATS, task="orders-cdc"),
            FaultRule(kind="unknown_enum", op=LIST, task="inventory-cdc", fields=("Status",)),
        ]
    )
    report = bot.sweep()
    assert report.errors == ()
    assert verdicts(report) == {
        "billing-cdc": Verdict.FAILURE,
        "crm-cdc": Verdict.WARNING,
        "inventory-cdc": Verdict.WARNING,
        "orders-cdc": Verdict.WARNING,
    }
    reasons = {v.task.identifier: " ".join(v.reasons) for v in report.tasks}
    assert all("quantum entangled" in reasons[name].casefold() for name in ("orders-cdc", "inventory-cdc"))


def test_a_response_botocore_cannot_parse_is_an_error_not_a_crash(make_bot: MakeBot) -> None:
    """A malformed timestamp in DMS's answer (botocore raises ValueError): that task's error only."""
    bot = make_bot()
    bot.sim.set_faults([FaultRule(kind="unknown_enum", op=STATS, task="crm-cdc", fields=("LastUpdateTime",))])
    report = bot.sweep()
    assert_only_errored(report, "crm-cdc", "MalformedResponse")
    bot.sim.set_faults([FaultRule(kind="unknown_enum", op=LIST, fields=("ReplicationTaskStartDate",))])
    report = bot.sweep()
    assert report.tasks == () and errors(report) == {None: "MalformedResponse"}


def test_the_bot_keeps_sweeping_through_every_fault_in_turn(make_bot: MakeBot) -> None:
    """One fault after another on the same bot: every sweep completes; the last one is clean."""
    bot = make_bot(scenario=small_fleet())
    for kind in ("throttle", "http_500", "http_503", "reset", "invalid_state", "access_denied"):
        bot.sim.set_faults([FaultRule(kind=kind, op=STATS, task="orders-cdc")])
        assert set(errors(bot.sweep())) == {"orders-cdc"}, kind
    bot.sim.set_faults([])
    report = bot.sweep()
    assert report.errors == () and verdicts(report) == {"billing-cdc": Verdict.FAILURE, **HEALTHY}
    assert len(posts_about(bot.slack, "billing-cdc")) == 1
    assert len(posts_about(bot.slack, "orders-cdc")) == 1  # "cannot be checked", once, then recovered
