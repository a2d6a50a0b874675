"""``dms-bot demo``: the real bot code against the built-in DMS simulator; no AWS or Slack account.

The simulator runs in-process on a free loopback port and boto3 talks HTTP to it exactly as it
would to DMS. The demo prints the terminal report, the JSON the HTTP API receives, and then plays
the scenario's story through the real alerting code (sweep -> store -> outbox -> "Slack"):
``orders-cdc``'s ``sales.orders`` table goes bad (one alert), gets worse (the same message updated)
and recovers (the message resolved, "recovered" in its thread). Beside the six tasks, one DMS
Serverless replication (``payments-serverless``) is shown as ``/dms status`` shows it. Then cutover
night for ``inventory-cdc``: writes frozen, lag drains, the watch posts "ready".
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from bot.app.sweeps import Sweeps
from bot.app.wiring import build_services, build_sweeps
from bot.cli.demo_cutover import CUTOVER_CHECKLIST, CUTOVER_TASK, play_cutover
from bot.cli.demo_standin import StandInTarget
from bot.core.models import Policy, Report, TaskKind
from bot.core.report import to_document
from bot.render.failures_text import render_failures
from bot.render.kit import SlackMessage
from bot.render.plain_text import blocks_to_text
from bot.render.report import report_message
from bot.render.task import task_message
from bot.render.terminal import render_report
from bot.settings import CutoverSettings, DatabaseSettings, ScheduleSettings, Secret, Settings, Target
from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from bot.store.sql import SqlStore

DEMO_REGION = "eu-west-1"
DEMO_CHANNEL = "C0DEMO0001"
Clock = Callable[[], datetime]
STANDIN_ENDPOINT = "orders-aurora"  # orders-cdc's target endpoint in the demo scenario
FAILED_ROWS = {2.5: 12, 4.5: 45}  # rows DMS records before these story steps (12, then 57 in all)
WHICH_ROWS_AT = 4.5
STANDIN_NOTE = (
    "\n(The demo starts no database server: orders-cdc's target database is a SQLite stand-in at "
    "{path},\n holding DMS's awsdms_validation_failures_v1 as DMS lays it out. A real deployment reads "
    "that table\n on the target itself, PostgreSQL or MySQL/MariaDB, with a read-only user.)"
)
STORY = (  # (scenario minutes, what to look for)
    (2.5, "sales.orders turns Mismatched records: one alert is posted"),
    (4.5, "it gets worse (57 failed records): the same message is updated in place"),
    (6.5, "it is validated again: the message is resolved and 'recovered' is said in its thread"),
)


def demo_settings(standin: StandInTarget | None = None) -> Settings:
    """The demo's settings; with a stand-in, ``orders-aurora`` (orders-cdc's target) is readable."""
    databases = (DatabaseSettings(endpoint=STANDIN_ENDPOINT, url=Secret(standin.url)),) if standin else ()
    return Settings(
        databases=databases,
        targets=(Target(name="demo", region=DEMO_REGION, channel=DEMO_CHANNEL, mention="S0ONCALL1"),),
        policy=Policy(problem_table_cap=5, stuck_after=None),
        schedule=ScheduleSettings(check_every=60),
        cutover=CutoverSettings(checklist=CUTOVER_CHECKLIST),
    )


def demo_session(target: Target) -> boto3.Session:
    """Dummy credentials: the simulator does not check signatures, and nothing leaves loopback."""
    return boto3.Session(
        aws_access_key_id="demo",
        aws_secret_access_key="demo",  # noqa: S106 - not a secret, the simulator ignores it
        region_name=target.region or DEMO_REGION,
    )


def _heading(text: str) -> str:
    return f"\n{'━' * 78}\n {text}\n{'━' * 78}"


class PrintingSlack:
    """Stands in for Slack's Web API in the demo: prints each call the outbox makes."""

    def __init__(self, *, verbose: set[str]) -> None:
        self.verbose = verbose  # messages mentioning these tasks are printed in full
        self._ts = itertools.count(1)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _show(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((method, kwargs))
        ts = kwargs.get("ts") or f"1700000000.{next(self._ts):06d}"
        where = f"thread {kwargs['thread_ts']}" if kwargs.get("thread_ts") else f"message {ts}"
        message = SlackMessage(text=kwargs.get("text", ""), blocks=kwargs.get("blocks", []))
        print(f"\n→ Slack {method} ({where})")
        if any(task in message.text for task in self.verbose):
            print(blocks_to_text(message))
        else:
            print(f"  {message.text[:140]}")
        return {"ok": True, "channel": kwargs.get("channel"), "ts": ts}

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        return self._show("chat.postMessage", kwargs)

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        return self._show("chat.update", kwargs)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    standin = StandInTarget(out / "target-standin.sqlite3")
    with SimServer(load_scenario(DEMO_SCENARIO), port=0) as sim:
        settings = demo_settings(standin)
        start = datetime.now(UTC).replace(microsecond=0)

        def clock() -> datetime:
            return start + timedelta(seconds=sim.now())

        sweeps = build_sweeps(settings, session_factory=demo_session, endpoint_url=sim.url, clock=clock)
        print(_heading(f"DMS simulator on {sim.url} · scenario {Path(str(DEMO_SCENARIO)).name}"))
        report = sweeps.sweep()
        _show_report(report, out)
        _show_serverless(sweeps, report)
        _play_story(sim, settings, sweeps, clock, out, standin)
        print(f"\nDMS API calls made in the whole demo: {sim.total_calls()} (counted by the simulator)")
    standin.close()
    return 0


def _show_report(report: Report, out: Path) -> None:
    print(_heading("What `dms-bot check` prints"))
    print(render_report(report))
    document = to_document(replace(report, duration_seconds=None))
    (out / "report.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(_heading("What the HTTP API receives (POST, application/json)"))
    print(_preview(document))
    print(f"\nfull document: {out / 'report.json'}")
    message = report_message(report)
    (out / "slack-report.json").write_text(
        json.dumps({"blocks": message.blocks}, indent=2) + "\n", encoding="utf-8"
    )
    print(_heading("The fleet report in Slack (the Re-check button's answer, and /dms check)"))
    print(blocks_to_text(message))
    print(
        f"\nBlock Kit JSON: {out / 'slack-report.json'} (paste into https://app.slack.com/block-kit-builder)"
    )


def _show_serverless(sweeps: Sweeps, report: Report) -> None:
    """The scenario's DMS Serverless replication, as ``/dms status`` shows it, and where its CDC lag
    was found (the CloudWatch dimension is undocumented: the bot discovered it with ListMetrics)."""
    found = [v for v in report.tasks if v.task.kind is TaskKind.SERVERLESS]
    if not found:
        return
    verdict, watched = found[0], sweeps.watched[0]
    print(_heading(f"A DMS Serverless replication beside the tasks: /dms status {verdict.task.identifier}"))
    print(blocks_to_text(task_message(verdict)))
    if watched.cloudwatch is not None:
        dims = watched.cloudwatch.serverless_dimensions([verdict.task]).get(verdict.task.arn)
        shown = ", ".join(f"{name}={value}" for name, value in dims) if dims else "none found"
        print(f"\nits CDC lag is read under the CloudWatch dimension {shown} (discovered with ListMetrics)")


def _play_story(
    sim: SimServer, settings: Settings, sweeps: Sweeps, clock: Clock, out: Path, standin: StandInTarget
) -> None:
    print(_heading("Alerting: what the channel receives as the scenario unfolds"))
    print(STANDIN_NOTE.format(path=standin.path))
    assert sweeps.last_report is not None
    orders = next(v.task for v in sweeps.last_report.tasks if v.task.identifier == "orders-cdc")
    store = SqlStore(":memory:")
    slack = PrintingSlack(verbose={"orders-cdc", CUTOVER_TASK})
    services = build_services(settings, slack=slack, store=store, sweeps=sweeps, clock=clock)
    print("\n[scenario 0m] first sweep: every task that is failing now gets one alert")
    services.cycle.run()
    services.deliverer.run_once()
    for minutes, story in STORY:
        sim.advance(minutes * 60 - sim.now())
        print(f"\n[scenario {minutes:g}m] {story}")
        if minutes in FAILED_ROWS:  # DMS writes a row per failed record to the target's control table
            standin.record(orders.resource_id, "sales", "orders", count=FAILED_ROWS[minutes], at=clock())
        services.cycle.run()
        services.deliverer.run_once()
        if minutes == WHICH_ROWS_AT:
            _show_failed_rows(sweeps)
    alert = next(
        kw for method, kw in slack.calls if method == "chat.postMessage" and "orders-cdc" in kw["text"]
    )
    (out / "slack-alert.json").write_text(
        json.dumps({"blocks": alert["blocks"]}, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nthe orders-cdc alert's Block Kit JSON: {out / 'slack-alert.json'}")
    play_cutover(sim, services, channel=DEMO_CHANNEL, heading=_heading)
    store.close()


def _show_failed_rows(sweeps: Sweeps) -> None:
    """What `dms-bot failures orders-cdc` prints at this point of the story."""
    assert sweeps.failed_rows is not None
    watched, task = next((w, t) for w, t in sweeps.known_tasks() if t.identifier == "orders-cdc")
    found = sweeps.failed_rows.page(watched, task, limit=8)
    print(_heading("Which rows? `dms-bot failures orders-cdc` (from the SQLite stand-in)"))
    print(render_failures(task, endpoint=found.endpoint, engine=found.engine, page=found.page), end="")


def _preview(document: dict[str, object], limit: int = 40) -> str:
    text = json.dumps(document, indent=2)
    lines = text.splitlines()
    if len(lines) <= limit:
        return text
    return "\n".join([*lines[:limit], f"  … ({len(lines) - limit} more lines in the file)"])
