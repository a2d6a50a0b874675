"""The AWS CLI against the simulator, and the ``sim`` command's run()."""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.sim import build_fleet
from bot.sim.cli import DEFAULT_PORT, add_arguments, run
from tests.support.sim_helpers import aws_cli

URL_LINE = re.compile(r"export AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE=(http://\S+)")


def _args(*argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_aws_cli_describe_table_statistics(tmp_path, demo):
    """`aws dms describe-table-statistics --endpoint-url` pages through all 127 tables (2 calls)."""
    arn = demo.scenario.tasks[1].arn
    out = aws_cli(
        tmp_path, "describe-table-statistics", "--replication-task-arn", arn, "--endpoint-url", demo.url
    )
    tables = out["TableStatistics"]
    assert len(tables) == 127
    by_name = {t["TableName"]: t for t in tables}
    assert by_name["invoices"]["ValidationState"] == "Table error"
    assert by_name["invoice_lines"]["ValidationFailedRecords"] == 4
    assert demo.counters()["calls"] == {"DescribeTableStatistics": 2}


def test_aws_cli_describe_replication_tasks(tmp_path, demo, monkeypatch):
    """`aws dms describe-replication-tasks` works through AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE too."""
    out = aws_cli(tmp_path, "describe-replication-tasks", "--without-settings", "--endpoint-url", demo.url)
    ids = [t["ReplicationTaskIdentifier"] for t in out["ReplicationTasks"]]
    assert ids == [
        "orders-cdc",
        "billing-cdc",
        "inventory-cdc",
        "archive-full-load",
        "crm-cdc",
        "marketing-cdc",
    ]
    assert all("ReplicationTaskSettings" not in t for t in out["ReplicationTasks"])
    assert out["ReplicationTasks"][4]["StopReason"] == "Stop Reason FATAL_ERROR"


def test_boto3_picks_up_the_endpoint_env_var(demo, monkeypatch):
    """The service-specific endpoint env var is enough for a plain boto3 client."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE", demo.url)
    client = boto3.client("dms", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    assert len(client.describe_replication_tasks()["ReplicationTasks"]) == 6


def test_defaults_of_the_sim_command():
    """Defaults: demo scenario, port 8765, loopback, real time, throttling on at DMS's current quota."""
    args = _args()
    assert (args.scenario, args.port, args.host, args.time_scale, args.latency, args.no_throttling) == (
        None,
        DEFAULT_PORT,
        "127.0.0.1",
        1.0,
        0.0,
        False,
    )
    assert args.quota == "current" and _args("--quota", "old").quota == "old"
    with pytest.raises(SystemExit):
        _args("--quota", "huge")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ('[[tasks]]\nid = "a"\nwat = 1\n', "tasks[0].wat: unknown key")],
)
def test_run_with_a_bad_scenario_prints_one_line_and_returns_2(tmp_path, capsys, content, message):
    """A missing or invalid scenario: exit code 2 and one stderr line naming it, no traceback."""
    path = tmp_path / "scenario.toml"
    if content is not None:
        path.write_text(content)
    assert run(_args("--scenario", str(path), "--port", "0")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and str(path) in err and "Traceback" not in err


def test_run_with_a_busy_port_returns_2(capsys):
    """A port already in use is reported in one line with exit code 2."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert run(_args("--port", str(busy.getsockname()[1]))) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_run_serves_until_stopped(tmp_path, capsys):
    """run() prints the URL and export hint, serves boto3, and returns 0 when stopped."""
    scenario = tmp_path / "fleet.json"
    scenario.write_text(json.dumps({"tasks": [{"id": "one", "generate": [{"count": 5, "schema": "s"}]}]}))
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(run(_args("--scenario", str(scenario), "--port", "0"), stop=stop))
    )
    thread.start()
    try:
        url = _wait_for_url(capsys)
        from tests.support.sim_helpers import make_client

        assert (
            make_client(url).describe_replication_tasks()["ReplicationTasks"][0]["ReplicationTaskIdentifier"]
            == "one"
        )
    finally:
        stop.set()
        thread.join(timeout=5)
    assert result == [0]


def _wait_for_url(capsys):
    return _wait_for_output(capsys)[0]


def _wait_for_output(capsys):
    """(URL, what run() printed up to it)."""
    deadline = time.monotonic() + 5
    seen = ""
    while time.monotonic() < deadline:
        seen += capsys.readouterr().out
        match = URL_LINE.search(seen)
        if match:
            return match.group(1), seen
        time.sleep(0.02)
    raise AssertionError(f"no URL line in {seen!r}")


def test_module_entry_point_stops_cleanly_on_sigterm(tmp_path):
    """`python -m bot.sim.cli` serves the demo and exits 0 on SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.sim.cli", "--port", "0", "--no-throttling"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert URL_LINE.search(line) and re.search(r"\d+ tables", line)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_build_fleet_serves_big_tasks_fast(start_sim):
    """A 5,000-table task pages out in 10 calls of 500 in well under a second."""
    from tests.support.sim_helpers import make_client

    sim = start_sim(build_fleet(2, 5000, problems=0.01))
    client = make_client(sim.url)
    began = time.perf_counter()
    pages = client.get_paginator("describe_table_statistics").paginate(
        ReplicationTaskArn=sim.scenario.tasks[1].arn, PaginationConfig={"PageSize": 500}
    )
    assert sum(len(p["TableStatistics"]) for p in pages) == 5000
    assert time.perf_counter() - began < 2.0
    assert sim.counters()["calls"] == {"DescribeTableStatistics": 10}


@pytest.mark.parametrize(
    ("argv", "tokens", "said"),
    [((), 200, "200 requests refilled 8/s"), (("--quota", "old"), 100, "100 requests refilled 4/s")],
)
def test_run_serves_the_chosen_quota(capsys, argv, tokens, said):
    """`--quota old` serves DMS's old bucket (100, 4/s); the default is the current one (200, 8/s)."""
    import requests

    stop = threading.Event()
    thread = threading.Thread(target=run, args=(_args("--port", "0", *argv),), kwargs={"stop": stop})
    thread.start()
    try:
        url, printed = _wait_for_output(capsys)
        assert requests.get(f"{url}/_sim/now", timeout=5).json()["tokens"] == pytest.approx(tokens, abs=0.5)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert said in printed
