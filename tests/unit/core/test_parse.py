"""Raw DMS dicts into models: DMS Serverless replications (issue 16) become the same Task as tasks."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.models import TaskKind
from bot.core.parse import to_replication, to_table_stats

CONFIG_ARN = "arn:aws:dms:eu-west-1:123456789012:replication-config:OZRAVXDSNFCUTG5UZNI6HRDWVY"
EPOCH = 1_764_900_000  # 2025-12-05 02:00 UTC


def raw_replication(**over: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "ReplicationConfigIdentifier": "orders-serverless",
        "ReplicationConfigArn": CONFIG_ARN,
        "SourceEndpointArn": "arn:aws:dms:eu-west-1:123456789012:endpoint:SRC",
        "TargetEndpointArn": "arn:aws:dms:eu-west-1:123456789012:endpoint:TGT",
        "ReplicationType": "full-load-and-cdc",
        "Status": "running",
        "ReplicationStats": {"StartDate": datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "TablesLoaded": 3},
    }
    raw.update(over)
    return raw


def test_replication_is_a_task_named_after_its_config() -> None:
    task = to_replication(raw_replication())
    assert (task.identifier, task.arn, task.kind) == ("orders-serverless", CONFIG_ARN, TaskKind.SERVERLESS)
    assert task.status == "running"
    assert task.migration_type == "full-load-and-cdc"
    assert task.target_endpoint_arn == "arn:aws:dms:eu-west-1:123456789012:endpoint:TGT"
    assert task.start_date == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert task.replication_instance_arn is None
    assert task.resource_id == "OZRAVXDSNFCUTG5UZNI6HRDWVY"
    assert (task.failure_messages, task.last_failure_message, task.deprovisioned) == ((), None, False)


def test_status_is_compared_lower_case() -> None:
    assert to_replication(raw_replication(Status=" PROVISIONING_CAPACITY ")).status == "provisioning_capacity"


def test_every_failure_message_is_kept_and_the_last_is_the_last_failure() -> None:
    task = to_replication(raw_replication(Status="failed", FailureMessages=["first", "", 7, "second"]))
    assert task.failure_messages == ("first", "second")
    assert task.last_failure_message == "second"


def test_deprovisioned_replication_carries_when() -> None:
    task = to_replication(
        raw_replication(
            Status="stopped",
            ProvisionData={"ProvisionState": "deprovisioned"},
            ReplicationDeprovisionTime=EPOCH,
        )
    )
    assert task.deprovisioned is True
    assert task.deprovisioned_at == datetime.fromtimestamp(EPOCH, UTC)


def test_provision_states_other_than_deprovisioned_keep_the_statistics() -> None:
    for state in ("", "deprovisioning", "provisioned", None):
        task = to_replication(raw_replication(ProvisionData={"ProvisionState": state}))
        assert task.deprovisioned is False and task.deprovisioned_at is None


def test_missing_and_odd_fields_never_raise() -> None:
    task = to_replication({"ProvisionData": "x", "ReplicationStats": [], "FailureMessages": "only one"})
    assert (task.identifier, task.status, task.arn) == ("(unnamed)", "unknown", "")
    assert task.failure_messages == ("only one",)


def test_replication_table_statistics_share_the_task_shape() -> None:
    stats = to_table_stats(
        {
            "SchemaName": "sales",
            "TableName": "orders",
            "TableState": "Table completed",
            "ValidationState": "Mismatched records",
            "ValidationFailedRecords": 4,
        }
    )
    assert (stats.name, stats.validation_state, stats.failed_records) == (
        "sales.orders",
        "Mismatched records",
        4,
    )
