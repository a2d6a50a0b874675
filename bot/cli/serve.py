"""``dms-bot serve``: the Slack app and the scheduler in one process.

Socket Mode when SLACK_APP_TOKEN is set (the default deployment: no inbound HTTP), HTTP mode with
``--http``. Both modes serve ``GET /healthz`` (readiness JSON, 200 or 503, see :mod:`bot.ops.health`)
and ``GET /metrics`` (Prometheus, see :mod:`bot.ops.metrics`): HTTP mode beside ``/slack/events`` on
``--port`` (default ``$PORT``, else 3000); Socket Mode only when a port is given explicitly
(``--port`` or ``$PORT``), because a Procfile ``worker`` has no port and needs no inbound HTTP.

SIGTERM/SIGINT stop it within a deadline and exit 0; :mod:`bot.ops.shutdown` says how.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from types import FrameType

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app.digest import prune, queue_digest
from bot.app.incidents import Alerter
from bot.app.questions import Questions
from bot.app.wiring import build_checker, utc_now
from bot.aws.secrets import load_secret
from bot.cli.exit_codes import ExitCode
from bot.config import load_settings
from bot.deliver.deliverer import Deliverer
from bot.errors import BotError, ConfigError, StoreError
from bot.ops.health import HealthProbe, SweepTracker, sweep_outcome
from bot.ops.logs import setup_logging
from bot.ops.metrics import Metrics, instrument_dms
from bot.ops.scheduler import SweepScheduler
from bot.ops.server import HttpServer, WsgiApp
from bot.ops.shutdown import Closer, shutdown
from bot.settings import ENV_LOG_FORMAT, Settings
from bot.slack.access import AccessControl
from bot.slack.app import create_app
from bot.slack.client import build_web_client, to_slack_error
from bot.slack.deps import Deps
from bot.store.lock import StoreLock
from bot.store.sqlite import SqliteStore

log = logging.getLogger("bot.serve")


@dataclass(frozen=True)
class Ops:
    """The operational side of a running bot: metrics, how sweeps went, and the shutdown switches."""

    metrics: Metrics = field(default_factory=Metrics)
    tracker: SweepTracker = field(default_factory=SweepTracker)
    abandoned: threading.Event = field(default_factory=threading.Event)
    shutting_down: threading.Event = field(default_factory=threading.Event)


def build_deps(settings: Settings, ops: Ops | None = None) -> Deps:
    client = build_web_client(settings.slack)
    checker = build_checker(settings)
    store = SqliteStore(settings.store.path)
    if ops is not None:
        for watched in checker.watched:
            instrument_dms(watched.gateway.client, ops.metrics)

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
            store=store,
            slack=client,
            webhook=settings.webhook,
            clock=utc_now,
            on_post=remember_post,
            on_sent=(lambda item: ops.metrics.delivered(item.kind)) if ops is not None else None,
        ),
    )


def sweep_job(deps: Deps, ops: Ops) -> None:
    """Sweep, remember, decide what to say (all in the store), then wake the outbox."""
    ops.tracker.started()
    started = time.monotonic()
    try:
        report = deps.checker.sweep()
        if ops.abandoned.is_set():  # cut short at shutdown: its errors are ours, not DMS's
            ops.tracker.finished("abandoned", success=False)
            ops.metrics.observe_sweep("abandoned", time.monotonic() - started, None, at=time.time())
            log.warning("sweep abandoned at shutdown; nothing of it was saved")
            return
        report = deps.alerter.after_sweep(report)
    except Exception as exc:
        ops.tracker.finished("failed", success=False)
        ops.metrics.observe_sweep("failed", time.monotonic() - started, None, at=time.time())
        if isinstance(exc, StoreError):  # locked, read-only, full: one line; the next sweep retries
            log.error("sweep checked but not saved, so no alerts from it: %s", exc)
            return
        raise
    outcome = sweep_outcome(report, targets=len(deps.checker.watched))
    ops.tracker.finished(outcome, success=outcome != "failed")
    ops.metrics.observe_sweep(outcome, time.monotonic() - started, report, at=time.time())
    deps.deliverer.wake()
    s = report.summary
    log.info(
        "sweep %s: %d tasks, %d failure, %d warning, %d errors in %.1fs",
        outcome,
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
    try:
        settings = load_settings(args.config, env=os.environ, secret_loader=load_secret)
    except BotError as exc:
        if os.environ.get(ENV_LOG_FORMAT) != "json":
            raise
        settings = Settings(log_format="json")  # no secrets known yet: none to scrub
        return _fatal(settings, exc)
    setup_logging(settings)
    try:
        return _serve(args, settings)
    except BotError as exc:
        if settings.log_format != "json":
            raise  # the CLI prints its one line
        return _fatal(settings, exc)


def _fatal(settings: Settings, exc: BotError) -> int:
    """With JSON logs, even the one-line start-up error is a JSON object."""
    setup_logging(settings)
    log.error("%s", exc)
    return ExitCode.UNUSABLE


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if not args.http and not settings.slack.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set: set it for Socket Mode, or run 'dms-bot serve --http'")
    lock = StoreLock(settings.store.path)
    lock.acquire()  # before anything reads the outbox: a second bot on this database exits 2 here
    try:
        return _run_locked(args, settings)
    finally:
        lock.release()


def _run_locked(args: argparse.Namespace, settings: Settings) -> int:
    ops = Ops()
    deps = build_deps(settings, ops)
    ops.metrics.watch_outbox(lambda: deps.store.outbox_stats(deps.clock()))
    app = create_app(settings, deps, http_mode=args.http)
    stop = threading.Event()
    _on_signals(stop)
    scheduler = SweepScheduler(lambda: sweep_job(deps, ops), every=settings.schedule.check_every)
    scheduler.add(60, lambda: digest_job(deps))
    scheduler.add(3600, lambda: prune(deps.store, settings, deps.clock))
    deadline = settings.shutdown_deadline
    closers = _start_ingress(args, settings, app, deps, ops, scheduler)
    deps.deliverer.start()  # first: whatever a previous run left in the outbox goes out now
    scheduler.start()
    stop.wait()
    return shutdown(deps, ops.abandoned, ops.shutting_down, scheduler, closers, deadline=deadline)


def _start_ingress(
    args: argparse.Namespace, settings: Settings, app: App, deps: Deps, ops: Ops, scheduler: SweepScheduler
) -> list[Closer]:
    """Connect to Slack (socket) or listen for it (HTTP), and serve /healthz + /metrics."""
    closers: list[Closer] = []
    slack_state = _http_slack_state
    if not args.http:
        handler = _connect_socket(app, settings)
        closers.append(handler.close)
        slack_state = lambda: _socket_state(handler)  # noqa: E731
        log.info("Socket Mode: connected to Slack")
    port = _port(args, settings)
    if port is None:
        log.info("no --port or $PORT: /healthz and /metrics are not served (Socket Mode)")
        return closers
    probe = HealthProbe(
        tracker=ops.tracker,
        check_every=settings.schedule.check_every,
        scheduler_alive=scheduler.alive,
        slack_state=slack_state,
        outbox_stats=lambda: deps.store.outbox_stats(deps.clock()),
        shutting_down=ops.shutting_down,
    )
    wsgi = WsgiApp(
        app if args.http else None,
        health=probe,
        metrics=ops.metrics.render,
        metrics_type=ops.metrics.content_type,
    )
    try:
        server = _listen(wsgi, args.host, port)
    except ConfigError:
        for close in closers:
            close()
        raise
    closers.insert(0, server.close)  # HTTP mode: stop taking Slack requests before anything else
    paths = "GET /healthz and GET /metrics"
    log.info("%s on %s:%d", f"POST /slack/events, {paths}" if args.http else paths, args.host, server.port)
    return closers


def _listen(wsgi: WsgiApp, host: str, port: int) -> HttpServer:
    try:
        server = HttpServer(wsgi, host=host, port=port)
    except OSError as exc:  # port taken, no permission, unknown host
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.start()
    return server


def _port(args: argparse.Namespace, settings: Settings) -> int | None:
    if args.port is not None:
        return int(args.port)
    if settings.port is not None:
        return settings.port
    return 3000 if args.http else None


def _connect_socket(app: App, settings: Settings) -> SocketModeHandler:
    assert settings.slack.app_token is not None
    handler = SocketModeHandler(app, settings.slack.app_token.reveal())
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except (SlackApiError, SlackClientError) as exc:
        raise to_slack_error(exc) from None
    return handler


def _socket_state(handler: SocketModeHandler) -> tuple[bool, str]:
    if handler.client.is_connected():
        return True, "Socket Mode connected"
    return False, "Socket Mode disconnected (reconnecting)"


def _http_slack_state() -> tuple[bool, str]:
    return True, "HTTP mode; the bot token passed auth.test at start-up"


def _on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
