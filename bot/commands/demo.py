"""``dms-bot demo``: the real bot code against the built-in DMS simulator; no AWS or Slack account.

The simulator runs in-process on a free loopback port; boto3 talks HTTP to it exactly as it would
to DMS. The demo prints the terminal report and writes what the HTTP API would receive.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import boto3

from bot.core.models import Policy
from bot.core.report import to_document
from bot.render.blocks import report_message
from bot.render.blocks_text import blocks_to_text
from bot.render.text import render_report
from bot.runtime import build_checker
from bot.settings import Settings, Target
from bot.sim import DEMO_SCENARIO, SimServer, load_scenario

DEMO_REGION = "eu-west-1"


def demo_settings() -> Settings:
    return Settings(targets=(Target(name="demo", region=DEMO_REGION),), policy=Policy(problem_table_cap=5))


def demo_session(target: Target) -> boto3.Session:
    """Dummy credentials: the simulator does not check signatures, and nothing leaves loopback."""
    return boto3.Session(
        aws_access_key_id="demo",
        aws_secret_access_key="demo",  # noqa: S106 - not a secret, the simulator ignores it
        region_name=target.region or DEMO_REGION,
    )


def _heading(text: str) -> str:
    return f"\n{'━' * 78}\n {text}\n{'━' * 78}"


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario(DEMO_SCENARIO)
    with SimServer(scenario, port=0) as sim:
        settings = demo_settings()
        checker = build_checker(settings, session_factory=demo_session, endpoint_url=sim.url)
        print(_heading(f"DMS simulator on {sim.url} · scenario {Path(str(DEMO_SCENARIO)).name}"))
        report = checker.sweep()
        print(_heading("What `dms-bot check` prints"))
        print(render_report(report))
        document = to_document(replace(report, duration_seconds=None))
        report_file = out / "report.json"
        report_file.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(_heading("What the HTTP API receives (POST, application/json)"))
        print(_preview(document))
        print(f"\nfull document: {report_file}")
        message = report_message(report)
        blocks_file = out / "slack-report.json"
        blocks_file.write_text(json.dumps({"blocks": message.blocks}, indent=2) + "\n", encoding="utf-8")
        print(_heading("What the scheduled report posts to Slack (chat.postMessage)"))
        print(blocks_to_text(message))
        print(f"\nBlock Kit JSON: {blocks_file} (paste into https://app.slack.com/block-kit-builder)")
        calls = sim.total_calls()
        print(f"\nDMS API calls made: {calls} (counted by the simulator)")
    return 0


def _preview(document: dict[str, object], limit: int = 60) -> str:
    text = json.dumps(document, indent=2)
    lines = text.splitlines()
    if len(lines) <= limit:
        return text
    return "\n".join([*lines[:limit], f"  … ({len(lines) - limit} more lines in the file)"])
