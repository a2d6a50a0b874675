"""Helpers shared by the simulator tests: boto3 clients aimed at a simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
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


AWS_CLI = Path(sys.executable).parent / "aws"


def run_aws_cli(tmp_path: Path, *args: str, service: str = "dms") -> subprocess.CompletedProcess[str]:
    """Run the real AWS CLI (``aws <service> <args> --region eu-west-1 --output json``) with dummy
    credentials, empty config files and no retries."""
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    return subprocess.run(
        [str(AWS_CLI), service, *args, "--region", "eu-west-1", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def aws_cli(tmp_path: Path, *args: str, service: str = "dms") -> Any:
    """``run_aws_cli`` that must exit 0; returns the decoded JSON output."""
    done = run_aws_cli(tmp_path, *args, service=service)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
