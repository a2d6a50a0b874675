"""The serve loop in one process, stepped by hand: the real sweep against the simulator, the real
SQLite store, the outbox delivering to the fake Slack API (through the bot's own WebClient with its
retry handlers) and to a real webhook receiver, and the real Bolt app for commands and clicks.

Everything is wired by the composition root (``bot.app.wiring``), as ``serve`` wires it; only the DMS endpoint, the
clock and the executor (inline, so an answer is posted before ``command()`` returns) differ.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.app.sweeps import Sweeps
from bot.app.wiring import build_services, slack_deps
from bot.core.models import Policy, Report
from bot.ops.running import Ops
from bot.settings import (
    ApiBudget,
    DmsApiSettings,
    ScheduleSettings,
    Secret,
    Settings,
    SlackSettings,
    Target,
    WebhookSettings,
)
from bot.sim import Scenario, SimServer
from bot.slack.app import create_app
from bot.slack.client import build_web_client
from bot.store.sql import SqlStore
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.fakes.slack_payloads import block_actions_body, slash_command_body
from tests.support.fakes.slack_response_url import ResponsePost
from tests.support.simtools import REGION, Clock, checker_for

CHANNEL = "C0123456789"
OTHER_CHANNEL = "C0OTHER0001"
SIGNING_SECRET = "fault-signing-secret-0123456789"
FAST = ApiBudget(rate=10_000, burst=10_000)
# Small on purpose: a slow DMS answer costs one second, a throttled one at most one retry.
QUICK_DMS = DmsApiSettings(budget=FAST, max_attempts=2, read_timeout=1, connect_timeout=1, cache_ttl=0)


def table(schema: str, name: str, **fields: Any) -> dict[str, Any]:
    return {"schema": schema, "name": name, **fields}


def small_fleet(**extra_tasks: dict[str, Any]) -> Scenario:
    """Four tasks, a few tables each: billing-cdc has a mismatched table, the rest are healthy."""
    tasks: dict[str, dict[str, Any]] = {
        "billing-cdc": {
            "tables": [
                table("billing", "invoices", validation_state="Mismatched records", failed_records=3),
                table("billing", "payments"),
            ]
        },
        "crm-cdc": {"tables": [table("crm", "contacts"), table("crm", "accounts")]},
        "inventory-cdc": {"tables": [table("stock", "items")]},
        "orders-cdc": {"tables": [table("sales", "orders"), table("sales", "lines")]},
        **extra_tasks,
    }
    return Scenario.from_dict(
        {
            "simulator": {"region": REGION},
            "tasks": [{"id": name, "migration_type": "cdc", **spec} for name, spec in tasks.items()],
        }
    )


class InlineExecutor(ThreadPoolExecutor):
    """Runs work submitted after ack() at once, in Bolt's listener thread, and counts finished jobs
    so a test can wait for the answer (Bolt itself runs listeners after ack, on its own threads)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._done = threading.Condition()
        self.finished = 0
        self.escaped: list[BaseException] = []  # exceptions no listener caught: always a bug

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the listener's own guard should have caught it
            future.set_exception(exc)
            self.escaped.append(exc)
        with self._done:
            self.finished += 1
            self._done.notify_all()
        return future

    def wait_for(self, count: int, timeout: float = 15.0) -> None:
        with self._done:
            if not self._done.wait_for(lambda: self.finished >= count, timeout=timeout):
                raise AssertionError(f"{count - self.finished} submitted job(s) did not finish in {timeout}s")


def fault_settings(
    slack: FakeSlackApi,
    *,
    dms: DmsApiSettings = QUICK_DMS,
    webhook: WebhookSettings | None = None,
    targets: tuple[Target, ...] | None = None,
    operators: tuple[str, ...] = (),
) -> Settings:
    return Settings(
        targets=targets or (Target(name="demo", region=REGION, channel=CHANNEL),),
        policy=Policy(stuck_after=None),
        dms_api=dms,
        slack=SlackSettings(
            bot_token=Secret(BOT_TOKEN),
            signing_secret=Secret(SIGNING_SECRET),
            api_url=slack.url,
            channel=CHANNEL,
            operators=operators,
        ),
        webhook=webhook or WebhookSettings(),
        schedule=ScheduleSettings(remind_every=24 * 3600),
    )


StoreFactory = Callable[[Path], SqlStore]


@dataclass
class InProcessBot:
    """``serve`` without its threads: ``sweep()`` runs the real ``sweep_job`` and drains the outbox."""

    sim: SimServer
    slack: FakeSlackApi
    settings: Settings
    db: Path
    clock: Clock = field(default_factory=Clock)
    store_factory: StoreFactory = SqlStore
    slack_timeout: float | None = None

    def __post_init__(self) -> None:
        self._app: App | None = None
        self.open()

    def open(self) -> None:
        self.store = self.store_factory(self.db)
        self.checker: Sweeps = checker_for(self.sim.url, self.settings, clock=self.clock)
        self.web_client = build_web_client(self.settings.slack)
        if self.slack_timeout is not None:
            self.web_client.timeout = int(self.slack_timeout) or 1
        self.ops = Ops()
        self.services = build_services(
            self.settings,
            slack=self.web_client,
            store=self.store,
            sweeps=self.checker,
            clock=self.clock,
            ops=self.ops,
            base_delay=0.0,
        )
        self.deliverer = self.services.deliverer
        self.executor = InlineExecutor()
        self.deps = slack_deps(self.services, self.web_client)
        self._app = None

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = create_app(
                self.settings, self.deps, web_client=self.web_client, executor=self.executor
            )
        return self._app

    def sweep(self, advance_minutes: float = 15) -> Report:
        """Advance both clocks, run the serve loop's sweep job, then deliver what is due."""
        self.clock.advance(minutes=advance_minutes)
        self.sim.advance(advance_minutes * 60)
        before = self.checker.last_report
        self.services.cycle.run()
        self.deliverer.run_once()
        report = self.checker.last_report
        assert report is not None and report is not before, "the sweep did not run"
        return report

    def deliver(self, advance_seconds: float = 0) -> int:
        self.clock.advance(seconds=advance_seconds)
        return self.deliverer.run_once()

    def restart(self) -> None:
        self.close()
        self.open()

    def close(self) -> None:
        self.store.close()

    # Slack side: the real Bolt app, requests dispatched as Socket Mode would deliver them
    def command(self, text: str, *, user: str = "U123", channel: str = CHANNEL) -> ResponsePost:
        """``/dms <text>``; returns the one answer posted to its response_url."""
        [answer] = self.command_posts(text, user=user, channel=channel)
        return answer

    def command_posts(self, text: str, *, user: str = "U123", channel: str = CHANNEL) -> list[ResponsePost]:
        """``/dms <text>``; everything posted to its response_url."""
        url = self.slack.new_response_url()
        self.dispatch(slash_command_body(text=text, user_id=user, channel_id=channel, response_url=url))
        return self.slack.response_posts(url)

    def click(self, action_id: str, value: str, **kw: Any) -> list[ResponsePost]:
        """A button click; returns what was posted to its response_url (maybe nothing)."""
        url = self.slack.new_response_url()
        self.dispatch(block_actions_body(action_id, value, response_url=url, **kw))
        return self.slack.response_posts(url)

    def dispatch(self, body: dict[str, Any], *, jobs: int = 2) -> BoltResponse:
        """Deliver ``body`` as Socket Mode would; wait for the ``jobs`` it hands to the executor
        (Bolt runs both the ack function and the lazy listener there)."""
        before = self.executor.finished
        response = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        assert response.status == 200, (response.status, response.body)
        if jobs:
            self.executor.wait_for(before + jobs)
        return response


def posts_about(slack: FakeSlackApi, task: str) -> list[Any]:
    """Top-level alert posts (not thread replies) naming ``task``."""
    return [
        r
        for r in slack.requests("chat.postMessage")
        if r.ok and r.params["text"].startswith(f"{task} ") and "thread_ts" not in r.params
    ]


def answer_text(post: ResponsePost) -> str:
    assert post.body is not None
    return str(post.body.get("text", "")) + " " + str(post.body.get("blocks", ""))


@contextlib.contextmanager
def captured_logs(logger: str = "") -> Iterator[list[logging.LogRecord]]:
    """Records logged while the block runs (pytest's caplog, usable inside helpers)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        yield records
    finally:
        target.removeHandler(handler)
