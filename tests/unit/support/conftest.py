"""Fixtures for testing the fakes: a running fake Slack API and a real WebClient pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    """A started fake Slack Web API (default config)."""
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
def client(fake: FakeSlackApi) -> WebClient:
    """A real slack_sdk WebClient talking to the fake over HTTP."""
    return WebClient(token=BOT_TOKEN, base_url=fake.url, timeout=5)
