"""Helpers shared by the simulator tests: boto3 clients aimed at a simulator."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def make_client(url: str, config: Config = NO_RETRIES) -> Any:
    """An unmodified boto3 DMS client aimed at the simulator (retries off unless asked)."""
    return boto3.client(
        "dms",
        endpoint_url=url,
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    )


def task_arn(client: Any, identifier: str) -> str:
    """The ARN of a task by identifier, through the API itself."""
    filters = [{"Name": "replication-task-id", "Values": [identifier]}]
    tasks = client.describe_replication_tasks(Filters=filters, WithoutSettings=True)["ReplicationTasks"]
    return str(tasks[0]["ReplicationTaskArn"])


def error_code(excinfo: Any) -> str:
    """The AWS error code of a botocore ClientError caught by pytest.raises."""
    return str(excinfo.value.response["Error"]["Code"])


def make_cloudwatch_client(url: str | None, config: Config = NO_RETRIES) -> Any:
    """An unmodified boto3 CloudWatch client; ``url=None`` leaves the endpoint to the environment."""
    return boto3.client(
        "cloudwatch",
        endpoint_url=url,
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    )
