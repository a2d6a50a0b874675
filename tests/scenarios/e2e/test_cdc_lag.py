"""CDC lag end to end: ``dms-bot check`` and the serve loop against the simulator's CloudWatch.

A quiet source (old LastUpdateTime, nothing pending) is healthy; a target hours behind the source is
a failure with the lag in its reasons, in the report document, and in an incident that is updated as
the lag changes and resolved when it falls back under the threshold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.sim import Scenario, SimServer
from tests.scenarios.faults.conftest import MakeBot, make_bot, slack  # noqa: F401  (the in-process bot)
from tests.support.cli_process import NOWHERE, aws_env, run_bot
from tests.support.inprocess import posts_about
from tests.support.simtools import REGION, Clock

Start = Callable[..., SimServer]
THREE_DAYS = 3 * 86400


def one_task(**task: Any) -> Scenario:
    tables = [{"schema": "sales", "name": f"t{i:02d}", "stale": THREE_DAYS} for i in range(20)]
    spec = {"id": "orders-cdc", "migration_type": "cdc", "tables": tables, **task}
    return Scenario.from_dict({"simulator": {"region": REGION}, "tasks": [spec]})


def check_json(sim: SimServer, **env: str) -> tuple[int, dict[str, Any]]:
    result = run_bot("check", "--no-notify", "--format", "json", env={**aws_env(sim), **env})
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_a_quiet_source_with_three_day_old_statistics_is_ok(start_sim: Start) -> None:
    """Running CDC, 20 Validated tables, nothing pending, LastUpdateTime 3 days old: ok, exit 0."""
    sim = start_sim(one_task(cdc_latency_source=0, cdc_latency_target=0))
    code, report = check_json(sim)
    [task] = report["tasks"]
    assert (code, task["verdict"], task["reasons"]) == (0, "ok", [])
    assert task["cdc_latency"] == {"source_seconds": 0.0, "target_seconds": 0.0}


def test_a_target_hours_behind_is_a_failure_with_the_lag_in_its_reasons(start_sim: Start) -> None:
    sim = start_sim(one_task(cdc_latency_source=5, cdc_latency_target=4320))
    code, report = check_json(sim)
    [task] = report["tasks"]
    assert (code, task["verdict"]) == (1, "failure")
    assert task["reasons"][0] == "target is 1h 12m behind the source"
    assert task["cdc_latency"] == {"source_seconds": 5.0, "target_seconds": 4320.0}


def test_no_datapoint_is_no_finding(start_sim: Start) -> None:
    code, report = check_json(start_sim(one_task()))
    [task] = report["tasks"]
    assert (code, task["verdict"]) == (0, "ok")
    assert task["cdc_latency"] == {"source_seconds": None, "target_seconds": None}


def test_cloudwatch_unreachable_is_one_error_line_never_a_false_ok(start_sim: Start) -> None:
    """The tasks are still judged on their tables; the report is not a success."""
    sim = start_sim(one_task(cdc_latency_target=4320))
    code, report = check_json(sim, AWS_ENDPOINT_URL_CLOUDWATCH=NOWHERE, AWS_MAX_ATTEMPTS="1")
    assert code == 1 and report["status"] == "failure"
    assert [t["verdict"] for t in report["tasks"]] == ["ok"]
    [error] = report["errors"]
    assert error["task_id"] is None and error["error"].startswith("CDC lag could not be read")
    text = run_bot("check", "--no-notify", env={**aws_env(sim), "AWS_ENDPOINT_URL_CLOUDWATCH": NOWHERE})
    assert "(CDC lag)" in text.stdout and "(listing tasks)" not in text.stdout


def test_serve_opens_an_incident_on_lag_updates_it_and_resolves_it(
    start_sim: Start,
    make_bot: MakeBot,  # noqa: F811  (the fixture imported above)
) -> None:
    sim = start_sim(one_task(cdc_latency_source=5, cdc_latency_target=4320))
    bot = make_bot(sim=sim, clock=Clock(now=datetime.fromtimestamp(sim.epoch(), UTC)))
    bot.sweep(advance_minutes=1)
    [post] = posts_about(bot.slack, "orders-cdc")
    assert "target is 1h 12m behind the source" in json.dumps(post.params["blocks"])
    sim.set_cdc_latency("orders-cdc", source=5, target=7200)
    bot.sweep(advance_minutes=1)
    updates = [r for r in bot.slack.requests("chat.update") if r.params["ts"] == post.response["ts"]]
    assert "target is 2h behind the source" in json.dumps(updates[-1].params["blocks"])
    sim.set_cdc_latency("orders-cdc", source=0, target=30)
    bot.sweep(advance_minutes=1)
    replies = [r.params["text"] for r in bot.slack.requests("chat.postMessage") if "thread_ts" in r.params]
    assert any("recovered" in text.lower() for text in replies)
    assert len(posts_about(bot.slack, "orders-cdc")) == 1  # one incident, one top-level post
