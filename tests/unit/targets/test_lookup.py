"""Finding a task's target database: a [[databases]] entry (by endpoint id or ARN, url or secret),
the endpoint's own secret, or a clear "no database configured"; pooled readers closed when idle.
DMS is the simulator over boto3, secrets are moto's server, the databases are real."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer

from bot.aws.dms import DmsGateway
from bot.aws.secrets import load_secret
from bot.core.models import Task
from bot.errors import TargetDbError
from bot.settings import DatabaseSettings, FailuresSettings, Secret
from bot.sim import Scenario, SimServer
from bot.sim.model import dms_arn
from bot.targets import FailureSources
from tests.support.failures_data import DECOY, SQLITE_DDL, TASK, create_and_fill
from tests.support.sim_helpers import make_client
from tests.support.simtools import REGION
from tests.support.target_fixtures import FilledTarget

ACCOUNT = "123456789012"


def task_for(endpoint_id: str) -> Task:
    """A task aimed at the endpoint whose rows are the fixture's (TASK_NAME = TASK)."""
    arn = f"arn:aws:dms:{REGION}:{ACCOUNT}:task:{TASK}"
    return Task(
        "orders-cdc", arn, "running", target_endpoint_arn=dms_arn("endpoint", endpoint_id, REGION, ACCOUNT)
    )


@pytest.fixture
def moto_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port if server._server else 0
    for name, value in {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    yield boto3.client("secretsmanager")
    server.stop()


@pytest.fixture
def gateway(start_sim: Callable[..., SimServer]) -> DmsGateway:
    endpoints = [
        {"id": "pg-target", "engine": "postgres", "server": "127.0.0.1", "secret_id": "set-per-test"},
        {"id": "plain-target", "engine": "aurora-postgresql", "server": "db.internal", "port": 5432},
        {"id": "oracle-target", "engine": "oracle"},
    ]
    scenario = Scenario.from_dict(
        {"simulator": {"region": REGION, "account": ACCOUNT}, "tasks": [], "endpoints": endpoints}
    )
    return DmsGateway(make_client(start_sim(scenario).url))


def endpoint_secret(client: Any, target: FilledTarget) -> str:
    """A secret in DMS's endpoint shape pointing at the real target database."""
    name = f"dms-endpoints/{uuid.uuid4().hex}"
    url = target.reader_url
    shape = {
        "username": url.username,
        "password": url.password,
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
    }
    client.create_secret(Name=name, SecretString=json.dumps(shape))
    return name


def test_an_entry_by_identifier_with_a_url_is_used(
    gateway: DmsGateway, postgres_target: FilledTarget
) -> None:
    url = postgres_target.reader_url.render_as_string(hide_password=False)
    sources = FailureSources(
        [DatabaseSettings("pg-target", url=Secret(url))], FailuresSettings(), secret_loader=load_secret
    )
    db, page = sources.page(task_for("pg-target"), gateway, limit=1)
    assert (db.endpoint, db.engine, db.control_schema, page.total) == ("pg-target", "postgres", "public", 15)
    assert "reader-Pa55-word" not in repr(db) and "***" in db.shown_url
    sources.close()


def test_an_entry_with_a_secret_id_reads_the_endpoint_shaped_secret(
    gateway: DmsGateway, postgres_target: FilledTarget, moto_secrets: Any
) -> None:
    arn = dms_arn("endpoint", "plain-target", REGION, ACCOUNT)
    entry = DatabaseSettings(arn, secret_id=endpoint_secret(moto_secrets, postgres_target))
    sources = FailureSources([entry], FailuresSettings(), secret_loader=load_secret)
    _, summary = sources.summary(task_for("plain-target"), gateway)
    assert summary.total == 15 and len(summary.tables) == 3
    sources.close()


def test_use_endpoint_secrets_connects_with_the_endpoint_own_secret(
    start_sim: Callable[..., SimServer], postgres_target: FilledTarget, moto_secrets: Any
) -> None:
    secret = endpoint_secret(moto_secrets, postgres_target)
    endpoints = [{"id": "own-secret", "engine": "postgres", "secret_id": secret}]
    scenario = Scenario.from_dict(
        {"simulator": {"region": REGION, "account": ACCOUNT}, "tasks": [], "endpoints": endpoints}
    )
    gateway = DmsGateway(make_client(start_sim(scenario).url))
    off = FailureSources([], FailuresSettings(), secret_loader=load_secret)
    with pytest.raises(
        TargetDbError, match=r"no database configured for endpoint own-secret .*use_endpoint_secrets"
    ):
        off.database_for(task_for("own-secret"), gateway)
    assert not off.configured(task_for("own-secret"), gateway)
    on = FailureSources([], FailuresSettings(use_endpoint_secrets=True), secret_loader=load_secret)
    assert on.configured(task_for("own-secret"), gateway)
    assert on.page(task_for("own-secret"), gateway)[1].total == 15
    on.close()


def test_unsupported_engine_and_unconfigured_endpoint_are_clear(gateway: DmsGateway) -> None:
    sources = FailureSources(
        [DatabaseSettings("oracle-target", url=Secret("postgresql://h/db"))],
        FailuresSettings(),
        secret_loader=load_secret,
    )
    with pytest.raises(TargetDbError, match="engine oracle is not supported yet") as caught:
        sources.database_for(task_for("oracle-target"), gateway)
    assert caught.value.kind == "unsupported"
    with pytest.raises(TargetDbError, match="no database configured for endpoint plain-target") as caught:
        sources.database_for(task_for("plain-target"), gateway)
    assert caught.value.kind == "not_configured"
    assert not sources.configured(task_for("oracle-target"), gateway)
    no_endpoint = Task("x", "arn:aws:dms:r:1:task:X", "running")
    with pytest.raises(TargetDbError, match="names no target endpoint"):
        sources.database_for(no_endpoint, gateway)


def test_one_describe_endpoints_call_serves_many_tasks_on_one_target(
    gateway: DmsGateway, postgres_target: FilledTarget
) -> None:
    url = postgres_target.reader_url.render_as_string(hide_password=False)
    sources = FailureSources(
        [DatabaseSettings("pg-target", url=Secret(url))], FailuresSettings(), secret_loader=load_secret
    )
    for _ in range(3):
        sources.database_for(task_for("pg-target"), gateway)
    assert gateway.calls["DescribeEndpoints"] == 1


def test_idle_pools_are_closed_and_reopened_on_demand(
    gateway: DmsGateway, postgres_target: FilledTarget
) -> None:
    clock = [0.0]
    url = postgres_target.reader_url.render_as_string(hide_password=False)
    sources = FailureSources(
        [DatabaseSettings("pg-target", url=Secret(url))],
        FailuresSettings(),
        secret_loader=load_secret,
        idle_after=60,
        monotonic=lambda: clock[0],
    )
    db, _ = sources.page(task_for("pg-target"), gateway)
    pool = sources.reader(db).engine.pool
    assert isinstance(pool, sa.pool.QueuePool) and pool.checkedin() == 1
    clock[0] = 30
    assert sources.close_idle() == 0
    clock[0] = 100
    assert sources.close_idle() == 1
    assert sources.page(task_for("pg-target"), gateway)[1].total == 15
    sources.close()


def test_the_sqlite_stand_in_answers_the_same_queries(tmp_path: Path, gateway: DmsGateway) -> None:
    """The demo's stand-in: a SQLite file with DMS's table, read through the same code, read-only."""
    path = tmp_path / "target.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        create_and_fill(conn, SQLITE_DDL, None, 10_000, 10_000)
    engine.dispose()
    sources = FailureSources(
        [DatabaseSettings("pg-target", url=Secret(f"sqlite:///{path}"))],
        FailuresSettings(),
        secret_loader=load_secret,
    )
    db, page = sources.page(task_for("pg-target"), gateway, limit=2)
    assert db.control_schema is None and page.total == 15 and len(page.rows) == 2
    assert page.rows[0].failure_time is not None and page.rows[0].failure_time.minute == 17
    assert sources.summary(task_for("pg-target"), gateway)[1].for_table("sales", "orders") is not None
    with (
        sources.reader(db).engine.connect() as conn,
        pytest.raises(sa.exc.OperationalError, match="readonly"),
    ):
        conn.execute(sa.text("DELETE FROM awsdms_validation_failures_v1"))
    sources.close()


def replication_for(endpoint_id: str, *, identifier: str, resource_id: str) -> Task:
    """A DMS Serverless replication (its config's ARN) aimed at the endpoint (TargetEndpointArn)."""
    arn = f"arn:aws:dms:{REGION}:{ACCOUNT}:replication-config:{resource_id}"
    endpoint = dms_arn("endpoint", endpoint_id, REGION, ACCOUNT)
    return Task(identifier, arn, "running", "cdc", target_endpoint_arn=endpoint)


def test_a_serverless_replication_reads_the_rows_named_by_its_config_resource_id(
    gateway: DmsGateway, postgres_target: FilledTarget
) -> None:
    """TASK_NAME = the config ARN's last part (UNVERIFIED for serverless; README): never the
    identifier, so a replication named like another's resource id still reads only its own rows."""
    url = postgres_target.reader_url.render_as_string(hide_password=False)
    sources = FailureSources(
        [DatabaseSettings("pg-target", url=Secret(url))], FailuresSettings(), secret_loader=load_secret
    )
    mine = replication_for("pg-target", identifier="orders-serverless", resource_id=TASK)
    db, page = sources.page(mine, gateway, limit=1)
    assert (db.endpoint, db.engine, page.total) == ("pg-target", "postgres", 15)
    assert sources.summary(mine, gateway)[1].total == 15
    named_like_it = replication_for("pg-target", identifier=TASK, resource_id=DECOY)
    assert sources.page(named_like_it, gateway)[1].total == 5  # the decoy's rows, by resource id
    with pytest.raises(TargetDbError, match="replication orders-serverless names no target endpoint"):
        sources.database_for(replace(mine, target_endpoint_arn=None), gateway)
    sources.close()
