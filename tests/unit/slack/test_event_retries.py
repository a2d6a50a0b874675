"""Events API retries are acknowledged and not handled again, whichever replica they reach: two
Bolt apps (two replicas) over one store, each with the middleware, fed signed requests."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.app.slack_events import SlackEvents
from bot.slack.event_retries import handled_once
from bot.store.sql import SqlStore
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import app_home_opened_event, form_encode, sign, slash_command_body
from tests.support.simtools import Clock

SECRET = "test-signing-secret"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"


class Replica:
    """A Bolt app with the middleware over ``store``, recording the users whose Home was opened."""

    def __init__(self, store: SqlStore, slack: FakeSlackApi) -> None:
        self.app = App(client=WebClient(token=BOT_TOKEN, base_url=slack.url), signing_secret=SECRET)
        self.app.use(handled_once(SlackEvents(store=store, clock=Clock())))
        self.seen: list[str] = []
        self.commands = 0
        self.app.event("app_home_opened")(lambda event: self.seen.append(event["user"]))

        def command(ack: object) -> None:
            self.commands += 1
            ack()  # type: ignore[operator]

        self.app.command("/dms")(command)

    def send(self, body: str, *, content_type: str = JSON, retry: int | None = None) -> int:
        headers: dict[str, str | Sequence[str]] = {"content-type": content_type, **sign(body, SECRET)}
        if retry is not None:
            headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
        return self.app.dispatch(BoltRequest(body=body, headers=headers)).status


def settle(replicas: Sequence[Replica], events: int) -> list[str]:
    """Every user seen, once the listeners (run after the ack, on Bolt's threads) have run."""
    deadline = time.monotonic() + 5
    while sum(len(r.seen) for r in replicas) < events and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # a second handling would show up now
    return [user for r in replicas for user in r.seen]


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore(tmp_path / "bot.sqlite3")


def test_a_retry_reaching_another_replica_is_acknowledged_and_not_handled(
    store: SqlStore, slack: FakeSlackApi
) -> None:
    one, two = Replica(store, slack), Replica(SqlStore(store.path), slack)
    body = json.dumps(app_home_opened_event("U0HOME"))
    assert one.send(body) == 200
    assert two.send(body, retry=1) == 200
    assert one.send(body, retry=2) == 200
    assert settle([one, two], 1) == ["U0HOME"]


def test_different_events_are_each_handled(store: SqlStore, slack: FakeSlackApi) -> None:
    one = Replica(store, slack)
    for user in ("U0A", "U0B"):
        assert one.send(json.dumps(app_home_opened_event(user))) == 200
    assert sorted(settle([one], 2)) == ["U0A", "U0B"]


def test_commands_are_not_events_and_pass_every_time(store: SqlStore, slack: FakeSlackApi) -> None:
    one = Replica(store, slack)
    body = form_encode(slash_command_body(text="status"))
    assert [one.send(body, content_type=FORM) for _ in range(2)] == [200, 200]
    assert one.commands == 2


def test_when_the_store_fails_the_event_is_handled_anyway(store: SqlStore, slack: FakeSlackApi) -> None:
    one = Replica(store, slack)
    store.close()
    body = json.dumps(app_home_opened_event("U0HOME"))
    assert one.send(body) == 200 and one.send(body, retry=1) == 200
    assert settle([one], 2) == ["U0HOME", "U0HOME"]
