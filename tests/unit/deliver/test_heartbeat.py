"""The dead-man's switch over a real local HTTP receiver and real sweeps of the simulator: one GET
of ``url`` per completed sweep, ``fail_url`` when a sweep could not run, nothing from a standby, and
a dead, failing or slow receiver that costs one warning line (its URL redacted) and never the sweep.
Logs are read at INFO, the level `serve` logs at (with urllib3, which names request paths, at WARNING)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from bot.app.wiring import Services, build_services
from bot.deliver.heartbeat import Heartbeat
from bot.settings import HeartbeatSettings, Secret
from bot.sim import FaultRule, SimServer
from bot.store.sql import SqlStore
from tests.support.fakes.http_receiver import HttpReceiver
from tests.support.inprocess import small_fleet
from tests.support.simtools import Clock, checker_for
from tests.unit.app.conftest import watching_demo

TOKEN = "5bd3e1a4-0c9e-4f8e-9d2a-secret-check-uuid"


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    hub = HttpReceiver(path=f"/ping/{TOKEN}").start()
    yield hub
    hub.stop()


@pytest.fixture
def sim(start_sim: Callable[..., SimServer]) -> SimServer:
    return start_sim(small_fleet())


def closed_port_url() -> str:
    """A URL on a local port nothing listens on (connection refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/ping/{TOKEN}"


def replica(
    sim: SimServer, beat: HeartbeatSettings, *, leader: Callable[[], int | None] | None = None
) -> Services:
    settings = replace(watching_demo(max_attempts=1), heartbeat=beat)
    clock = Clock()
    sweeps = checker_for(sim.url, settings, clock=clock)
    return build_services(
        settings, slack=None, store=SqlStore(":memory:"), sweeps=sweeps, clock=clock, leader=leader
    )


def heartbeat_of(services: Services) -> Heartbeat:
    observer = services.cycle.observer
    assert isinstance(observer, Heartbeat)
    return observer


def beats(url: str, fail_url: str | None = None, timeout: float = 5.0) -> HeartbeatSettings:
    return HeartbeatSettings(
        url=Secret(url), fail_url=Secret(fail_url) if fail_url else None, timeout=timeout
    )


def test_each_completed_sweep_sends_one_get_of_the_url(sim: SimServer, receiver: HttpReceiver) -> None:
    services = replica(sim, beats(receiver.url, f"{receiver.url}/fail"))
    for _ in range(3):
        services.cycle.run()
    assert heartbeat_of(services).drain(5)
    got = [(r.method, r.path, r.body) for r in receiver.requests()]
    assert got == [("GET", f"/ping/{TOKEN}", b"")] * 3
    assert heartbeat_of(services).sent == 3


def test_a_sweep_that_could_not_list_any_task_calls_the_fail_url(
    sim: SimServer, receiver: HttpReceiver
) -> None:
    services = replica(sim, beats(receiver.url, f"{receiver.url}/fail"))
    sim.set_faults([FaultRule(kind="access_denied", op="DescribeReplicationTasks")])
    services.cycle.run()
    sim.set_faults([])
    services.cycle.run()
    assert heartbeat_of(services).drain(5)
    assert [r.path for r in receiver.requests()] == [f"/ping/{TOKEN}/fail", f"/ping/{TOKEN}"]


def test_without_a_fail_url_a_failed_sweep_pings_nothing(sim: SimServer, receiver: HttpReceiver) -> None:
    services = replica(sim, beats(receiver.url))
    sim.set_faults([FaultRule(kind="access_denied", op="DescribeReplicationTasks")])
    services.cycle.run()
    assert heartbeat_of(services).drain(5) and receiver.requests() == []


def test_a_standby_pings_nothing(sim: SimServer, receiver: HttpReceiver) -> None:
    services = replica(sim, beats(receiver.url, f"{receiver.url}/fail"), leader=lambda: None)
    services.cycle.run()
    assert heartbeat_of(services).drain(5) and receiver.requests() == []


def test_a_dead_receiver_costs_one_warning_line_without_its_url_and_the_sweep_completes(
    sim: SimServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = closed_port_url()
    services = replica(sim, beats(url))
    with caplog.at_level(logging.INFO):
        services.cycle.run()
        assert heartbeat_of(services).drain(5)
    assert services.store.last_sweep() is not None  # the sweep was saved
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.heartbeat"]
    host = url.split("/ping")[0]
    assert warnings == [f"heartbeat {host}/…: unreachable (ConnectionError); the sweep is not affected"]
    assert TOKEN not in caplog.text


def test_a_5xx_answer_is_one_warning_line(sim: SimServer, caplog: pytest.LogCaptureFixture) -> None:
    with HttpReceiver(path=f"/ping/{TOKEN}", status=503).start() as failing:
        host = failing.base_url
        services = replica(sim, beats(failing.url))
        with caplog.at_level(logging.INFO):
            services.cycle.run()
            assert heartbeat_of(services).drain(5)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.heartbeat"]
    assert warnings == [f"heartbeat {host}/…: HTTP 503; the sweep is not affected"]
    assert heartbeat_of(services).sent == 0 and TOKEN not in caplog.text


def test_a_receiver_that_hangs_delays_no_sweep_and_times_out(
    sim: SimServer, caplog: pytest.LogCaptureFixture
) -> None:
    with HttpReceiver(path=f"/ping/{TOKEN}", delay=3.0).start() as slow:
        host = slow.base_url
        services = replica(sim, beats(slow.url, timeout=0.5))
        started = time.monotonic()
        services.cycle.run()
        assert time.monotonic() - started < 2.0  # the ping runs beside the sweep
        slow.wait_for(1)
        assert heartbeat_of(services).drain(5)
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.heartbeat"]
    assert warnings == [f"heartbeat {host}/…: no answer within 0.5s; the sweep is not affected"]


def test_pings_pile_up_no_further_than_the_backlog(caplog: pytest.LogCaptureFixture) -> None:
    with HttpReceiver(path=f"/ping/{TOKEN}", delay=0.5).start() as slow:
        heartbeat = Heartbeat(beats(slow.url))
        for _ in range(6):
            heartbeat.finished("ok", seconds=1.0, report=None)
        assert heartbeat.drain(10)
        heartbeat.close()
    assert 2 <= len(slow.requests()) <= 3  # one in flight, two waiting; the rest were dropped
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped and TOKEN not in caplog.text


def test_an_abandoned_sweep_pings_nothing(receiver: HttpReceiver) -> None:
    heartbeat = Heartbeat(beats(receiver.url, f"{receiver.url}/fail"), background=False)
    heartbeat.finished("abandoned", seconds=1.0, report=None)
    heartbeat.finished("partial", seconds=1.0, report=None)
    assert [r.path for r in receiver.requests()] == [f"/ping/{TOKEN}"]
