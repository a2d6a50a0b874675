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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app.replicas import build_leadership, build_sweep_watch
from bot.app.wiring import Services, build_services, open_store, slack_deps
from bot.aws.secrets import load_secret
from bot.cli.exit_codes import ExitCode
from bot.config import load_settings
from bot.errors import BotError, ConfigError
from bot.ops.health import HealthProbe
from bot.ops.leadership import Leadership, leader_only
from bot.ops.logs import setup_logging
from bot.ops.running import Ops
from bot.ops.scheduler import SweepScheduler
from bot.ops.server import HttpServer, WsgiApp
from bot.ops.shutdown import Closer, shutdown
from bot.settings import ENV_LOG_FORMAT, Settings
from bot.slack.app import create_app
from bot.slack.client import build_web_client, to_slack_error
from bot.store.lock import StoreLock

log = logging.getLogger("bot.serve")
WATCH_EVERY = 60.0  # seconds between a replica's checks that the leader still sweeps
CUTOVER_TICK = 15.0  # seconds between looks at the cutover watches (each judged at most once a minute)


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
    lock = StoreLock(settings.store.path)  # SQLite only: one serve per file
    lock.acquire()  # before anything reads the outbox: a second bot on this database exits 2 here
    try:
        return _run_locked(args, settings)
    finally:
        lock.release()


def _run_locked(args: argparse.Namespace, settings: Settings) -> int:
    ops = Ops()
    web_client = build_web_client(settings.slack)
    store = open_store(settings)
    leadership = build_leadership(settings)
    services = build_services(settings, slack=web_client, store=store, ops=ops, leader=leadership.epoch)
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-work")
    deps = slack_deps(services, web_client)
    app = create_app(settings, deps, web_client=web_client, executor=executor, http_mode=args.http)
    stop = threading.Event()
    _on_signals(stop)
    scheduler = _scheduler(settings, services, leadership)
    ops.metrics.watch_leadership(leadership.is_leader, lambda: leadership.changes)
    closers = _start_ingress(args, settings, app, services, ops, scheduler, leadership)
    leadership.start()  # one attempt now: a leader sweeps and delivers at once, a standby waits
    services.deliverer.start()  # the leader first frees what a previous run (or leader) was sending
    scheduler.start()
    stop.wait()
    return shutdown(
        services,
        executor,
        ops,
        scheduler,
        closers,
        deadline=settings.shutdown_deadline,
        leadership=leadership,
        inflight=deps.inflight,
    )


def _scheduler(settings: Settings, services: Services, leadership: Leadership) -> SweepScheduler:
    """Sweeps (the cycle itself skips them on a standby), the digest and pruning: the leader's work.
    A replica that becomes the leader sweeps at once and wakes its outbox."""
    scheduler = SweepScheduler(services.cycle.run, every=settings.schedule.check_every)
    scheduler.add(60, leader_only(leadership, services.digest.send_if_due))
    scheduler.add(3600, leader_only(leadership, services.digest.prune))
    if services.sweeps.failed_rows is not None:  # target-database connections idle for a while close
        scheduler.add(60, services.sweeps.failed_rows.close_idle)
    scheduler.add(CUTOVER_TICK, services.watches.tick)  # judges only on the leader (its epoch fences)
    watch = build_sweep_watch(settings, services, leadership)
    if watch is not None:  # every replica: a standby warns when the leader's sweeps stop
        scheduler.add(WATCH_EVERY, watch.check)

    def on_change(epoch: int | None) -> None:
        if epoch is not None:
            scheduler.run_soon()
            services.deliverer.wake()

    leadership.on_change(on_change)
    return scheduler


def _start_ingress(
    args: argparse.Namespace,
    settings: Settings,
    app: App,
    services: Services,
    ops: Ops,
    scheduler: SweepScheduler,
    leadership: Leadership,
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
    try:
        wsgi = _wsgi(args, settings, app, services, ops, scheduler, slack_state, leadership)
        server = _listen(wsgi, args.host, port)
    except ConfigError:
        for close in closers:
            close()
        raise
    closers.insert(0, server.close)  # HTTP mode: stop taking Slack requests before anything else
    paths = "GET /healthz and GET /metrics"
    log.info("%s on %s:%d", f"POST /slack/events, {paths}" if args.http else paths, args.host, server.port)
    return closers


def _wsgi(
    args: argparse.Namespace,
    settings: Settings,
    app: App,
    services: Services,
    ops: Ops,
    scheduler: SweepScheduler,
    slack_state: Callable[[], tuple[bool, str]],
    leadership: Leadership,
) -> WsgiApp:
    """Slack's events (HTTP mode only), /healthz and /metrics."""
    probe = HealthProbe(
        tracker=ops.tracker,
        check_every=settings.schedule.check_every,
        scheduler_alive=scheduler.alive,
        slack_state=slack_state,
        outbox_stats=lambda: services.store.outbox_stats(services.clock()),
        shutting_down=ops.shutting_down,
        role=leadership.role,
    )
    return WsgiApp(
        app if args.http else None,
        health=probe,
        metrics=ops.metrics.render,
        metrics_type=ops.metrics.content_type,
    )


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
