"""``dms-bot serve``: the Slack app and the scheduler in one process.

Socket Mode when SLACK_APP_TOKEN is set (the default deployment: no inbound HTTP), HTTP mode with
``--http``. SIGTERM/SIGINT stop it cleanly: no new sweeps, the HTTP server or socket closed, exit 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import FrameType
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.alerting import Alerter
from bot.aws.secrets import load_secret
from bot.config import load_settings
from bot.deliver.outbox import Deliverer
from bot.digest import prune, queue_digest
from bot.errors import ConfigError
from bot.logs import setup_logging
from bot.questions import Questions
from bot.runtime import build_checker, utc_now
from bot.scheduler import SweepScheduler
from bot.server import HttpServer, WsgiApp
from bot.settings import Settings
from bot.slack.access import AccessControl
from bot.slack.app import create_app
from bot.slack.client import build_web_client
from bot.slack.deps import Deps
from bot.store.sqlite import SqliteStore

log = logging.getLogger("bot.serve")
SHUTDOWN_DEADLINE = 20.0


def build_deps(settings: Settings) -> Deps:
    client = build_web_client(settings.slack)
    checker = build_checker(settings)
    store = SqliteStore(settings.store.path)

    def remember_post(task_arn: str, incident: int, channel: str, ts: str) -> None:
        """The alert keeps the ts of its message, for the buttons' edits."""
        with store.transaction():
            alert = store.get_alert(task_arn)
            if alert is not None and alert.incident == incident:
                store.save_alert(replace(alert, channel=channel, message_ts=ts))

    return Deps(
        settings=settings,
        checker=checker,
        questions=Questions(checker, clock=utc_now),
        web_client=client,
        access=AccessControl(
            client=client,
            allowed_channels=settings.slack.allowed_channels,
            allowed_users=settings.slack.allowed_users,
        ),
        executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-work"),
        clock=utc_now,
        store=store,
        alerter=Alerter(store=store, settings=settings, clock=utc_now),
        deliverer=Deliverer(
            store=store, slack=client, webhook=settings.webhook, clock=utc_now, on_post=remember_post
        ),
    )


def sweep_job(deps: Deps) -> None:
    """Sweep, remember, decide what to say (all in the store), then wake the outbox."""
    report = deps.alerter.after_sweep(deps.checker.sweep())
    deps.deliverer.wake()
    s = report.summary
    log.info(
        "sweep done: %d tasks, %d failure, %d warning, %d errors in %.1fs",
        s.tasks,
        s.failure,
        s.warning,
        s.errors,
        report.duration_seconds or 0,
    )


def digest_job(deps: Deps) -> None:
    if queue_digest(deps.store, deps.settings, deps.clock):
        deps.deliverer.wake()


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    setup_logging(settings)
    if not args.http and not settings.slack.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set: set it for Socket Mode, or run 'dms-bot serve --http'")
    deps = build_deps(settings)
    app = create_app(settings, deps, http_mode=args.http)
    stop = threading.Event()
    _on_signals(stop)
    scheduler = SweepScheduler(lambda: sweep_job(deps), every=settings.schedule.check_every)
    scheduler.add(60, lambda: digest_job(deps))
    scheduler.add(3600, lambda: prune(deps.store, settings, deps.clock))
    health = lambda: (scheduler.thread.is_alive(), {"status": "ok", "sweeps": scheduler.runs})  # noqa: E731
    closers: list[Any] = []
    if args.http:
        port = args.port if args.port is not None else int(os.environ.get("PORT") or 3000)
        server = HttpServer(WsgiApp(app, health=health), host=args.host, port=port)
        server.start()
        closers.append(server.close)
        log.info("HTTP mode: POST /slack/events and GET /healthz on %s:%d", args.host, server.port)
    else:
        assert settings.slack.app_token is not None
        handler = SocketModeHandler(app, settings.slack.app_token.reveal())
        handler.connect()  # type: ignore[no-untyped-call]
        closers.append(handler.close)
        log.info("Socket Mode: connected to Slack")
    deps.deliverer.start()  # first: whatever a previous run left in the outbox goes out now
    scheduler.start()
    stop.wait()
    log.info("shutting down")
    scheduler.stop(timeout=SHUTDOWN_DEADLINE)
    for close in closers:
        close()
    deps.executor.shutdown(wait=False, cancel_futures=True)
    deps.deliverer.stop()
    deps.store.close()
    return 0


def _on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
