"""DescribeEndpoints: the scenario's endpoints, filtered and paged the way DMS does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.sim.errors import not_found
from bot.sim.model import EndpointSpec

ENDPOINT_FILTERS: dict[str, Callable[[EndpointSpec], str]] = {
    "endpoint-arn": lambda e: e.arn,
    "endpoint-id": lambda e: e.identifier,
    "endpoint-type": lambda e: e.endpoint_type.lower(),
    "engine-name": lambda e: e.engine,
}
# EngineName -> the settings block DMS returns it in (where SecretsManagerSecretId lives).
_SETTINGS_BLOCKS = {
    "postgres": "PostgreSQLSettings",
    "aurora-postgresql": "PostgreSQLSettings",
    "mysql": "MySQLSettings",
    "aurora": "MySQLSettings",
    "mariadb": "MySQLSettings",
    "sqlserver": "MicrosoftSQLServerSettings",
    "oracle": "OracleSettings",
}


def matches(endpoint: EndpointSpec, filters: Mapping[str, set[str]]) -> bool:
    return all(ENDPOINT_FILTERS[name](endpoint) in values for name, values in filters.items())


def select(endpoints: tuple[EndpointSpec, ...], filters: Mapping[str, set[str]]) -> list[EndpointSpec]:
    """Endpoints matching every filter; a filter matching nothing is ResourceNotFoundFault, as for tasks."""
    found = [e for e in endpoints if matches(e, filters)]
    if filters and not found:
        raise not_found("Endpoint not found")
    return found


def endpoint_item(endpoint: EndpointSpec, region: str) -> dict[str, Any]:
    """One ``Endpoints[]`` item; None-valued fields are left out as DMS does."""
    block = {
        "DatabaseName": endpoint.database,
        "Port": endpoint.port,
        "ServerName": endpoint.server,
        "Username": endpoint.username,
        "SecretsManagerSecretId": endpoint.secret_id,
    }
    item: dict[str, Any] = {
        "EndpointIdentifier": endpoint.identifier,
        "EndpointType": endpoint.endpoint_type,
        "EngineName": endpoint.engine,
        "EngineDisplayName": endpoint.engine,
        "Username": endpoint.username,
        "ServerName": endpoint.server,
        "Port": endpoint.port,
        "DatabaseName": endpoint.database,
        "Status": "active",
        "EndpointArn": endpoint.arn,
        "SslMode": "none",
        "KmsKeyId": f"arn:aws:kms:{region}:{endpoint.arn.split(':')[4]}:key/demo",
    }
    name = _SETTINGS_BLOCKS.get(endpoint.engine)
    if name:
        item[name] = {key: value for key, value in block.items() if value is not None}
    return {key: value for key, value in item.items() if value is not None}
