"""DescribeEndpoints in the simulator, through real boto3: filters, paging, engine settings blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bot.aws.dms import DmsGateway
from bot.sim import DEMO_SCENARIO, Scenario, ScenarioError, SimServer, load_scenario
from tests.support.sim_helpers import error_code, make_client


@pytest.fixture
def dms(start_sim: Callable[..., SimServer]) -> Any:
    return make_client(start_sim(load_scenario(DEMO_SCENARIO)).url)


def test_tasks_name_their_target_endpoint_and_describe_endpoints_serves_it(dms: Any) -> None:
    task = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-id", "Values": ["orders-cdc"]}])
    arn = task["ReplicationTasks"][0]["TargetEndpointArn"]
    [endpoint] = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [arn]}])["Endpoints"]
    assert endpoint["EndpointIdentifier"] == "orders-aurora"
    assert (endpoint["EngineName"], endpoint["EndpointType"], endpoint["Port"]) == (
        "postgres",
        "TARGET",
        5432,
    )
    assert endpoint["PostgreSQLSettings"]["SecretsManagerSecretId"] == "demo/orders-db/reader"


def test_filters_by_id_type_and_engine(dms: Any) -> None:
    by_id = dms.describe_endpoints(Filters=[{"Name": "endpoint-id", "Values": ["billing-oracle"]}])
    assert [e["EngineName"] for e in by_id["Endpoints"]] == ["oracle"]
    targets = dms.describe_endpoints(Filters=[{"Name": "endpoint-type", "Values": ["target"]}])
    assert {e["EndpointType"] for e in targets["Endpoints"]} == {"TARGET"}
    mysql = dms.describe_endpoints(Filters=[{"Name": "engine-name", "Values": ["aurora"]}])
    assert "MySQLSettings" in mysql["Endpoints"][0]


def test_no_match_is_resource_not_found_and_bad_paging_is_rejected(dms: Any) -> None:
    with pytest.raises(ClientError) as caught:
        dms.describe_endpoints(Filters=[{"Name": "endpoint-id", "Values": ["nope"]}])
    assert error_code(caught) == "ResourceNotFoundFault"
    with pytest.raises(ClientError) as caught:
        dms.describe_endpoints(MaxRecords=101)
    assert error_code(caught) == "InvalidParameterValueException"


def test_paginator_walks_every_endpoint_with_markers(start_sim: Callable[..., SimServer]) -> None:
    data = {"tasks": [], "endpoints": [{"id": f"ep-{i:03d}", "engine": "mysql"} for i in range(45)]}
    client = make_client(start_sim(Scenario.from_dict(data)).url)
    pages = list(client.get_paginator("describe_endpoints").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["Endpoints"]) for p in pages] == [20, 20, 5]


def test_gateway_describes_an_endpoint_once_per_ttl(dms: Any) -> None:
    """Tasks sharing a target cost one DescribeEndpoints per TTL, counted like every DMS call."""
    clock = [0.0]
    gateway = DmsGateway(dms, endpoint_ttl=600, monotonic=lambda: clock[0])
    arn = load_scenario(DEMO_SCENARIO).endpoints[0].arn
    first = gateway.describe_endpoint(arn)
    assert gateway.describe_endpoint(arn) is first and gateway.calls["DescribeEndpoints"] == 1
    clock[0] = 601
    gateway.describe_endpoint(arn)
    assert gateway.calls["DescribeEndpoints"] == 2
    assert (first.identifier, first.engine, first.server, first.database, first.secret_id) == (
        "orders-aurora",
        "postgres",
        "orders-db.demo.internal",
        "orders",
        "demo/orders-db/reader",
    )


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ({"id": "1bad"}, "endpoints[0].id: expected letters"),
        ({"id": "a", "type": "both"}, "endpoints[0].type: expected 'source' or 'target'"),
        ({"id": "a", "port": 70000}, "endpoints[0].port: expected a port number"),
        ({"id": "a", "colour": "red"}, "endpoints[0].colour: unknown key"),
    ],
)
def test_bad_endpoint_entries_name_the_key(endpoint: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Scenario.from_dict({"tasks": [], "endpoints": [endpoint]})
