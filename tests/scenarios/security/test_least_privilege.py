"""Least privilege: ``docs/iam-policy.json`` grants exactly the AWS actions the bot's code calls —
read-only DMS calls (tasks, DMS Serverless replications, table statistics, instance names),
``cloudwatch:GetMetricData`` and ``ListMetrics`` for CDC lag, ``dms:ReloadTables`` and
``dms:ReloadReplicationTables`` for the operators' Revalidate button only, the settings secret, and
AssumeRole for cross-account targets — and no wildcard action.

Two independent views of "what the code calls": a static scan of ``bot/`` (every boto3 client method
and paginator named in the source, mapped to AWS operations by botocore's own service model), and
a recording of every API call botocore makes during a representative run (sweep, CDC lag,
revalidate, secret, AssumeRole, doctor), against the simulator and moto.
"""

from __future__ import annotations

import ast
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from moto.server import ThreadedMotoServer

from bot.aws.cloudwatch import CloudWatchGateway, cloudwatch_client
from bot.aws.dms import DmsGateway
from bot.aws.secrets import load_secret
from bot.aws.session import make_session
from bot.doctor.aws import check_targets
from bot.render.buttons import Action
from bot.settings import Target
from bot.sim import DEMO_SCENARIO, Scenario, SimServer, load_scenario
from tests.scenarios.faults.conftest import MakeBot
from tests.support.inprocess import CHANNEL
from tests.support.simtools import REGION

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "docs" / "iam-policy.json"
SCANNED = [
    p for p in sorted((ROOT / "bot").rglob("*.py")) if "sim" not in p.relative_to(ROOT / "bot").parts[:1]
]
SERVICES = ("dms", "secretsmanager", "sts", "cloudwatch")  # botocore names = IAM prefixes
IAM_PREFIX = {"monitoring": "cloudwatch"}  # endpoint prefixes that differ from the IAM prefix
# botocore classes that make AWS calls on the bot's behalf, with the call they make.
IMPLICIT = {"AssumeRoleCredentialFetcher": ("sts", "AssumeRole")}
ROLE = "arn:aws:iam::123456789012:role/dms-readonly"
_BAD = {"validation_state": "Mismatched records", "failed_records": 3}
MIXED = Scenario.from_dict(  # tasks and a DMS Serverless replication, each with a failing table
    {
        "simulator": {"region": REGION},
        "tasks": [
            {"id": "billing-cdc", "migration_type": "cdc", "tables": [{"schema": "b", "name": "i", **_BAD}]},
            {"id": "orders-cdc", "migration_type": "cdc", "tables": [{"schema": "s", "name": "o"}]},
        ],
        "replications": [
            {
                "id": "payments-sl",
                "replication_type": "cdc",
                "cdc_latency_source": 3,
                "tables": [{"schema": "p", "name": "r", **_BAD}],
            }
        ],
    }
)
OPERATOR = "U0OPERATOR"


def policy() -> dict[str, Any]:
    return json.loads(POLICY.read_text())


def statements() -> list[dict[str, Any]]:
    return list(policy()["Statement"])


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def granted() -> set[str]:
    return {action for st in statements() if st["Effect"] == "Allow" for action in _listed(st["Action"])}


def allowed(action: str) -> bool:
    """IAM's action matching: case-insensitive, ``*`` and ``?`` wildcards."""
    return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in granted())


def operations() -> dict[str, dict[str, str]]:
    """botocore's own map, per service, from client method name to API operation name."""
    out: dict[str, dict[str, str]] = {}
    for service in SERVICES:
        client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        out[service] = dict(client.meta.method_to_api_mapping)
    return out


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node, node.func.attr


def _first_string(call: ast.Call) -> str | None:
    arg = call.args[0] if call.args else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def scanned_actions() -> set[str]:
    """Every ``service:Operation`` the source of ``bot/`` can call through boto3."""
    ops = operations()
    clients: set[str] = set()
    methods: set[str] = set()
    actions: set[str] = set()
    for path in SCANNED:
        source = path.read_text()
        tree = ast.parse(source)
        for call, name in _calls(tree):
            if name == "client" and _first_string(call) in SERVICES:
                clients.add(str(_first_string(call)))
            elif name == "get_paginator" and _first_string(call):
                methods.add(str(_first_string(call)))
            else:
                methods.add(name)
        for symbol, (service, operation) in IMPLICIT.items():
            if re.search(rf"\b{symbol}\b", source):
                clients.add(service)
                actions.add(f"{service}:{operation}")
    for service in clients:
        actions |= {f"{service}:{ops[service][m]}" for m in methods if m in ops[service]}
    return actions


def test_the_policy_has_no_wildcard_actions_and_only_these_services() -> None:
    """No wildcard actions, only DMS/Secrets Manager/STS/CloudWatch, the two reloads the only DMS
    writes, and CloudWatch read-only."""
    actions = granted()
    assert actions and all("*" not in a and "?" not in a for a in actions), actions
    assert {a.split(":")[0] for a in actions} <= set(SERVICES)
    writes = {a for a in actions if a.startswith("dms:") and not a.startswith("dms:Describe")}
    assert writes == {"dms:ReloadTables", "dms:ReloadReplicationTables"}
    assert {a for a in actions if a.startswith("cloudwatch:")} == {
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
    }
    assert all(st["Effect"] == "Allow" for st in statements())


def test_reload_tables_has_a_statement_of_its_own_scoped_to_tasks() -> None:
    """ReloadTables has its own statement, on tasks only, so it can be dropped with revalidation."""
    [statement] = [st for st in statements() if "dms:ReloadTables" in _listed(st["Action"])]
    assert _listed(statement["Action"]) == ["dms:ReloadTables"]
    assert all(":task:" in r for r in _listed(statement["Resource"]))


def test_serverless_actions_have_the_resource_forms_of_the_service_authorization_reference() -> None:
    """DescribeReplications/-Configs take no resource ("*"); the table statistics and the reload
    need the replication config (``arn:aws:dms:*:*:replication-config:*``), the reload in a statement
    of its own so it can be dropped with revalidation."""
    config = "arn:aws:dms:*:*:replication-config:*"

    def resources(action: str) -> list[str]:
        return [r for st in statements() if action in _listed(st["Action"]) for r in _listed(st["Resource"])]

    assert resources("dms:DescribeReplications") == ["*"]
    assert resources("dms:DescribeReplicationConfigs") == ["*"]
    assert resources("dms:DescribeReplicationTableStatistics") == [config]
    [reload] = [st for st in statements() if "dms:ReloadReplicationTables" in _listed(st["Action"])]
    assert (_listed(reload["Action"]), _listed(reload["Resource"])) == (
        ["dms:ReloadReplicationTables"],
        [config],
    )
    assert resources("cloudwatch:ListMetrics") == ["*"]


def test_secret_reads_are_scoped_to_named_secret_paths() -> None:
    """GetSecretValue never on "*": the settings secret and the target databases' secrets by path."""
    reads = [st for st in statements() if "secretsmanager:GetSecretValue" in _listed(st["Action"])]
    resources = [r for st in reads for r in _listed(st["Resource"])]
    assert len(reads) == 2 and resources
    assert all(
        r.startswith("arn:aws:secretsmanager:") and ":secret:" in r and r.endswith("/*") for r in resources
    )
    assert "dms:DescribeEndpoints" in granted()  # where a task's target database is (row-level failures)


def test_every_action_the_code_can_call_is_granted_and_nothing_else() -> None:
    """Static scan of bot/: the policy lists exactly the operations the code names."""
    scanned = scanned_actions()
    assert {"dms:DescribeReplicationTasks", "dms:DescribeTableStatistics"} <= scanned  # the scan works
    assert {"dms:DescribeReplicationInstances", "cloudwatch:GetMetricData"} <= scanned
    assert {"dms:DescribeReplications", "dms:ReloadReplicationTables", "cloudwatch:ListMetrics"} <= scanned
    assert {a for a in scanned if not allowed(a)} == set(), "called but not granted"
    assert granted() - scanned == set(), "granted but never called"


def test_reload_tables_is_called_only_by_revalidate() -> None:
    """The write calls are reached only from the Revalidate button's handler (operators only)."""
    writes = {"reload_tables", "reload_replication_tables"}
    callers: set[tuple[str, str]] = set()
    for path in SCANNED:
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef) and any(name in writes for _, name in _calls(func)):
                callers.add((str(path.relative_to(ROOT)), func.name))
    assert callers == {
        ("bot/aws/dms.py", "_reload"),  # the gateway: the call the ARN's kind asks for
        ("bot/app/revalidation.py", "_reload_failing"),  # Revalidate, after the operator check
    }


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every API call any botocore client makes in this process, as ``service:Operation``."""
    seen: set[str] = set()
    original = BaseClient._make_api_call

    def record(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        prefix = self.meta.service_model.endpoint_prefix
        seen.add(f"{IAM_PREFIX.get(prefix, prefix)}:{operation_name}")
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return seen


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server._server.server_port if server._server else 0}"
    for name, value in {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
        "AWS_ENDPOINT_URL_STS": url,
        "AWS_ACCESS_KEY_ID": "AKIDTEST",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    yield url
    server.stop()


def test_a_representative_run_calls_only_granted_actions(
    recorded: set[str], moto: str, make_bot: MakeBot, start_sim: Callable[..., SimServer]
) -> None:
    """Sweep, revalidate, secret, AssumeRole, doctor: every call is granted and every grant used."""
    secret = f"dms-bot/least-privilege-{uuid.uuid4().hex}"  # moto's state outlives its server
    boto3.client("secretsmanager").create_secret(Name=secret, SecretString='{"DMS_BOT_CHANNEL": "C1"}')
    recorded.clear()  # (that was the test's own set-up call)

    bot = make_bot(scenario=MIXED, operators=(OPERATOR,))
    report = bot.sweep()
    for name in ("billing-cdc", "payments-sl"):  # a task, then a DMS Serverless replication
        arn = next(v.task.arn for v in report.tasks if v.task.identifier == name)
        bot.click(Action.REVALIDATE, json.dumps({"task": arn}), user_id=OPERATOR, channel_id=CHANNEL)
    assert len(bot.sim.reloads()) == 2, "the operator's Revalidates reached DMS"

    assert load_secret(secret) == {"DMS_BOT_CHANNEL": "C1"}

    dms_gateway = DmsGateway(boto3.Session().client("dms", endpoint_url=bot.sim.url))
    ids = dms_gateway.instance_ids(v.task.replication_instance_arn for v in report.tasks)
    watch = CloudWatchGateway(cloudwatch_client(boto3.Session(), endpoint_url=bot.sim.url))
    assert watch.latency([v.task for v in report.tasks], ids), "CDC lag was asked for"

    target = Target(name="x-account", region=REGION, role_arn=ROLE)
    session = make_session(target)
    dms = session.client("dms", endpoint_url=bot.sim.url)
    dms.describe_replication_tasks(MaxRecords=20, WithoutSettings=True)

    demo = start_sim(load_scenario(DEMO_SCENARIO))  # it has a DMS Serverless replication for doctor to try
    settings = replace(bot.settings, targets=(Target(name="demo", region=REGION),))
    assert all(c.status.name == "OK" for c in check_targets(settings, endpoint_url=demo.url))

    orders_target = load_scenario(DEMO_SCENARIO).endpoints[0].arn
    gateway = DmsGateway(session.client("dms", endpoint_url=demo.url))
    assert gateway.describe_endpoint(orders_target).identifier == "orders-aurora"  # row-level failures

    assert {"sts:AssumeRole", "secretsmanager:GetSecretValue", "dms:ReloadTables"} <= recorded
    assert {"dms:ReloadReplicationTables", "cloudwatch:ListMetrics"} <= recorded
    assert {a for a in recorded if not allowed(a)} == set(), "called but not granted"
    assert granted() - recorded == set(), "granted but never exercised"
