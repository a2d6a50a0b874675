"""Turn raw DMS response dicts into typed models, once.

This is the only code that knows DMS's key names. It never raises on a missing or oddly typed
field: DMS can leave any member out, and a monitoring bot must report what it sees, not crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.core.models import Endpoint, Resync, TableStats, Task


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not text.isascii():  # JSON may carry lone surrogates: no database, file or HTTP body takes them
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text if text.strip() else None


_COUNT_FIELDS = ("ValidationFailedRecords", "ValidationSuspendedRecords", "ValidationPendingRecords")


def _count(value: Any) -> int:
    """A non-negative record count; anything unreadable counts as 0 (and is flagged by the caller)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(number, 0)


def _readable_count(value: Any) -> bool:
    """Absent, or a whole number: a string or a float here means DMS sent something we cannot trust."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def to_task(raw: Mapping[str, Any]) -> Task:
    """A ``ReplicationTasks[]`` item as a :class:`Task`."""
    arn = _text(raw.get("ReplicationTaskArn")) or ""
    identifier = _text(raw.get("ReplicationTaskIdentifier")) or arn.rsplit(":", 1)[-1] or "(unnamed)"
    return Task(
        identifier=identifier,
        arn=arn,
        status=(_text(raw.get("Status")) or "unknown").strip().lower(),
        migration_type=_text(raw.get("MigrationType")) or "",
        stop_reason=_text(raw.get("StopReason")),
        last_failure_message=_text(raw.get("LastFailureMessage")),
        replication_instance_arn=_text(raw.get("ReplicationInstanceArn")),
        start_date=_time(raw.get("ReplicationTaskStartDate")),
        target_endpoint_arn=_text(raw.get("TargetEndpointArn")),
    )


def _texts(value: Any) -> tuple[str, ...]:
    """A list of strings (FailureMessages); anything else in it is skipped."""
    if not isinstance(value, list | tuple):
        text = _text(value) if isinstance(value, str) else None
        return (text,) if text else ()
    return tuple(t for t in (_text(v) for v in value if isinstance(v, str)) if t)


def to_replication(raw: Mapping[str, Any]) -> Task:
    """A ``Replications[]`` item (DMS Serverless) as a :class:`Task` named after its config.

    ``Status`` has no enum in DMS's model and is lower-case snake_case in practice; it is compared
    lower-cased. ``ProvisionState`` "deprovisioned" means DMS dropped the table statistics too.
    """
    arn = _text(raw.get("ReplicationConfigArn")) or ""
    identifier = _text(raw.get("ReplicationConfigIdentifier")) or arn.rsplit(":", 1)[-1] or "(unnamed)"
    messages = _texts(raw.get("FailureMessages"))
    provision = raw.get("ProvisionData")
    state = _text(provision.get("ProvisionState")) if isinstance(provision, Mapping) else None
    stats = raw.get("ReplicationStats")
    started = _time(stats.get("StartDate")) if isinstance(stats, Mapping) else None
    deprovisioned = (state or "").strip().lower() == "deprovisioned"
    return Task(
        identifier=identifier,
        arn=arn,
        status=(_text(raw.get("Status")) or "unknown").strip().lower(),
        migration_type=_text(raw.get("ReplicationType")) or "",
        stop_reason=_text(raw.get("StopReason")),
        last_failure_message=messages[-1] if messages else None,
        start_date=started,
        target_endpoint_arn=_text(raw.get("TargetEndpointArn")),
        failure_messages=messages,
        deprovisioned=deprovisioned,
        deprovisioned_at=_time(raw.get("ReplicationDeprovisionTime")) if deprovisioned else None,
    )


# DescribeEndpoints' per-engine settings blocks that may carry SecretsManagerSecretId.
_SETTINGS_BLOCKS = (
    "PostgreSQLSettings",
    "MySQLSettings",
    "MicrosoftSQLServerSettings",
    "OracleSettings",
    "SybaseSettings",
    "IBMDb2Settings",
    "DocDbSettings",
    "MongoDbSettings",
    "RedshiftSettings",
    "GcpMySQLSettings",
    "TimestreamSettings",
)


def to_endpoint(raw: Mapping[str, Any]) -> Endpoint:
    """An ``Endpoints[]`` item as an :class:`Endpoint`; the secret id comes from the engine's block."""
    arn = _text(raw.get("EndpointArn")) or ""
    secret = None
    for block in _SETTINGS_BLOCKS:
        settings = raw.get(block)
        if isinstance(settings, Mapping) and _text(settings.get("SecretsManagerSecretId")):
            secret = _text(settings.get("SecretsManagerSecretId"))
            break
    port = raw.get("Port")
    return Endpoint(
        identifier=_text(raw.get("EndpointIdentifier")) or arn.rsplit(":", 1)[-1],
        arn=arn,
        engine=(_text(raw.get("EngineName")) or "unknown").strip().lower(),
        server=_text(raw.get("ServerName")),
        port=port if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536 else None,
        database=_text(raw.get("DatabaseName")),
        username=_text(raw.get("Username")),
        secret_id=secret,
    )


_RESYNC_COUNTS = ("ResyncRowsAttempted", "ResyncRowsSucceeded", "ResyncRowsFailed")


def _optional_count(value: Any) -> int | None:
    return _count(value) if value is not None and _readable_count(value) else None


def to_resync(raw: Mapping[str, Any]) -> Resync | None:
    """The ``Resync*`` fields of a TableStatistics item; None when DMS sent none of them."""
    state = _text(raw.get("ResyncState"))
    if state is None and all(raw.get(name) is None for name in _RESYNC_COUNTS):
        return None
    attempted, succeeded, failed = (_optional_count(raw.get(name)) for name in _RESYNC_COUNTS)
    return Resync(state=state, rows_attempted=attempted, rows_succeeded=succeeded, rows_failed=failed)


def to_table_stats(raw: Mapping[str, Any]) -> TableStats:
    """A ``TableStatistics[]`` item as :class:`TableStats`."""
    return TableStats(
        schema=_text(raw.get("SchemaName")) or "",
        table=_text(raw.get("TableName")) or "",
        table_state=_text(raw.get("TableState")),
        validation_state=_text(raw.get("ValidationState")),
        failed_records=_count(raw.get("ValidationFailedRecords")),
        suspended_records=_count(raw.get("ValidationSuspendedRecords")),
        pending_records=_count(raw.get("ValidationPendingRecords")),
        validation_state_details=_text(raw.get("ValidationStateDetails")),
        last_update_time=_time(raw.get("LastUpdateTime")),
        counts_unreadable=not all(_readable_count(raw.get(name)) for name in _COUNT_FIELDS),
        resync=to_resync(raw),
    )
