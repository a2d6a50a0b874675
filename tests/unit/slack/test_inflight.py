"""Slack work at shutdown, through a real Bolt app (its thread pool, lazy listeners) over the fake
Slack API: turned away once closed (command in its ack, click through response_url, event 503);
finished within the deadline; or, at the deadline, answered "restarting" on its behalf, with what it
says later silenced and queued work skipped."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import Ack, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient

from bot.render.help import RESTARTING
from bot.slack.app import BotApp
from bot.slack.inflight import InFlight
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import app_home_opened_event, block_actions_body, slash_command_body


@dataclass
class World:
    fake: FakeSlackApi
    app: BotApp
    inflight: InFlight
    release: threading.Event = field(default_factory=threading.Event)
    started: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    ran: list[str] = field(default_factory=list)

    def command(self, text: str = "check") -> tuple[BoltResponse, str]:
        url = self.fake.new_response_url()
        body = slash_command_body(text=text, response_url=url)
        return self.app.dispatch(BoltRequest(body=body, mode="socket_mode")), url

    def click(self, action_id: str = "slow") -> tuple[BoltResponse, str]:
        url = self.fake.new_response_url()
        body = block_actions_body(action_id, "{}", response_url=url)
        return self.app.dispatch(BoltRequest(body=body, mode="socket_mode")), url

    def answers(self, url: str) -> list[str]:
        return [json.dumps(p.body) for p in self.fake.response_posts(url)]


@pytest.fixture
def world() -> Iterator[World]:
    with FakeSlackApi() as fake, ThreadPoolExecutor(2) as pool:
        inflight = InFlight()
        app = BotApp(
            client=WebClient(token=BOT_TOKEN, base_url=fake.url),
            signing_secret="unused",
            listener_executor=pool,
            raise_error_for_unhandled_request=False,
        )
        app.inflight = inflight
        app.use(inflight.admit)
        app.use(inflight.track)
        world = World(fake, app, inflight)
        _listeners(world)
        yield world
        world.release.set()


def _listeners(world: World) -> None:
    def ack_now(ack: Ack) -> None:
        ack()

    def slow(respond: Respond) -> None:
        world.started.release()
        world.release.wait(5)
        world.ran.append(respond.response_url or "")
        respond(text="the real answer")

    def lazy(body: dict[str, Any], respond: Respond) -> None:
        world.inflight.run(body, respond, slow)

    def lazy_event(body: dict[str, Any]) -> None:
        world.inflight.run_event(body, lambda: world.ran.append("event"))

    world.app.command("/dms")(ack=ack_now, lazy=[lazy])
    world.app.action("slow")(ack=ack_now, lazy=[lazy])
    world.app.event("app_home_opened")(ack=ack_now, lazy=[lazy_event])


def wait_until(check: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(100):
        if check():
            return
        done.wait(0.05)
    raise AssertionError("condition never held")


def test_once_closed_every_kind_of_request_is_turned_away(world: World) -> None:
    world.inflight.close()
    answer, url = world.command()
    assert answer.status == 200 and RESTARTING in answer.body and world.answers(url) == []
    answer, url = world.click()
    assert answer.status == 200 and RESTARTING in world.answers(url)[0]
    event = world.app.dispatch(BoltRequest(body=app_home_opened_event(), mode="socket_mode"))
    assert event.status == 503 and RESTARTING in event.body  # Slack delivers it again later
    assert world.ran == [] and world.inflight.wait_idle(0)


def test_work_in_flight_that_finishes_in_time_answers_normally(world: World) -> None:
    answer, url = world.command()
    assert answer.status == 200
    world.inflight.close()
    assert world.started.acquire(timeout=5)
    assert not world.inflight.wait_idle(0.2)
    world.release.set()
    assert world.inflight.wait_idle(5)
    assert world.inflight.expire() == 0
    [said] = world.answers(url)
    assert "the real answer" in said


def test_at_the_deadline_users_are_told_and_late_answers_silenced(world: World) -> None:
    """Two still running at the deadline: both told "restarting"; their later answers are not sent;
    work of an interaction already told (queued behind them, say) never starts."""
    urls = [world.command()[1], world.click()[1]]
    assert world.started.acquire(timeout=5) and world.started.acquire(timeout=5)
    world.inflight.close()
    assert not world.inflight.wait_idle(0.2)
    assert world.inflight.expire() == 2
    assert world.inflight.expire() == 0  # told once
    world.release.set()
    wait_until(lambda: len(world.ran) == 2)
    assert world.inflight.wait_idle(5)
    for url in urls:
        [said] = world.answers(url)
        assert RESTARTING in said
    assert sorted(world.ran) == sorted(urls)


def test_work_whose_user_was_already_told_does_not_start(world: World) -> None:
    body = slash_command_body(text="check", response_url=world.fake.new_response_url())
    world.inflight.track(BoltRequest(body=body, mode="socket_mode", context={"dms_bot_admitted": True}),
                         BoltResponse(status=200), lambda: BoltResponse(status=200))  # fmt: skip
    assert world.inflight.expire() == 1
    world.inflight.run(body, Respond(response_url=body["response_url"]), lambda r: world.ran.append("ran"))
    assert world.ran == [] and world.inflight.wait_idle(0)


def test_a_request_no_listener_handles_is_not_waited_for(world: World) -> None:
    answer, _ = world.click("nobody-listens")
    assert answer.status == 404 and world.inflight.wait_idle(0)


def test_events_are_tracked_until_their_work_ends(world: World) -> None:
    answer = world.app.dispatch(BoltRequest(body=app_home_opened_event(), mode="socket_mode"))
    assert answer.status == 200
    assert world.inflight.wait_idle(5) and world.ran == ["event"]
