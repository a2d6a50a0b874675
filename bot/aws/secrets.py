"""Read the bot's settings secret (a JSON object) from AWS Secrets Manager."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.errors import to_bot_error
from bot.errors import SecretsError


def load_secret(secret_id: str, *, client: Any = None) -> dict[str, str]:
    """The secret's string values by key. Values are never included in error messages."""
    client = client or boto3.Session().client("secretsmanager")
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except (ClientError, BotoCoreError) as exc:
        raise SecretsError(f"cannot read secret {secret_id!r}: {to_bot_error(exc)}") from None
    text = response.get("SecretString")
    if not isinstance(text, str):
        raise SecretsError(f"secret {secret_id!r} has no SecretString (binary secrets are not supported)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise SecretsError(f"secret {secret_id!r} is not a JSON object of KEY: value pairs") from None
    if not isinstance(data, dict):
        raise SecretsError(f"secret {secret_id!r} is not a JSON object of KEY: value pairs")
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int | float)}
