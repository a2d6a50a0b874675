"""Recognisable fake secrets, and the check that none of them shows up where it must not."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MARK = "s3cr3t"  # in every value below and nowhere else in the bot or its tests' fixed strings
BOT_TOKEN = f"xoxb-{MARK}-bot-0123456789"
APP_TOKEN = f"xapp-{MARK}-app-0123456789"
SIGNING_SECRET = f"signing-{MARK}-0123456789"
WEBHOOK_SECRET = f"whsec-{MARK}-0123456789"
AWS_SECRET_KEY = f"aws-{MARK}-key-0123456789"
HOOK_PATH = f"/hooks/T0KEN-{MARK}-PATH"  # webhook URLs carry tokens in their path

ALL = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, WEBHOOK_SECRET, AWS_SECRET_KEY, HOOK_PATH)


def secret_env(webhook_url: str) -> dict[str, str]:
    """The environment a deployment would have, every value recognisable."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DMS_BOT_WEBHOOK_URL": webhook_url,
        "DMS_BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET_KEY,
    }


def leaks(where: str, value: Any) -> list[str]:
    """Which secrets (or any part carrying the mark) appear in ``value`` (text, bytes or JSON)."""
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=str)
    return [f"{where}: {MARK!r} at …{text[max(0, i - 40) : i + 40]}…" for i in _finds(text.lower())]


def _finds(text: str) -> Iterable[int]:
    start = text.find(MARK)
    while start != -1:
        yield start
        start = text.find(MARK, start + 1)


def assert_no_leak(**places: Any) -> None:
    found = [leak for where, value in places.items() for leak in leaks(where, value)]
    assert not found, "\n".join(found)
