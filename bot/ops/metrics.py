"""Prometheus metrics for ``GET /metrics``, in a registry of their own (never the global one, so two
bots in one test process, or a library that registers its own, cannot collide).

DMS calls are counted from botocore's own events on each client (:func:`instrument_dms`), so the
gateway stays unaware of metrics; outbox depth and age are read from the store at scrape time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from bot.core.models import Report

DMS_EVENTS = "database-migration-service"
SWEEP_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800)
VERDICTS = ("ok", "warning", "failure", "error")
SWEEP_OUTCOMES = ("ok", "partial", "failed", "abandoned")
_THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"}
)
_ACCESS_CODES = frozenset({"AccessDeniedFault", "AccessDeniedException", "AccessDenied"})
PAGE_ACTIONS = ("trigger", "acknowledge", "resolve")
PAGE_OUTCOMES = ("accepted", "retried", "rejected")
_ALERT_KINDS = {
    "slack.post": "post",
    "slack.update": "update",
    "slack.thread": "reply",
    "webhook": "webhook",
    "pagerduty": "page",
}

OutboxStats = Callable[[], tuple[int, float | None]]


class Metrics:
    """Every metric the bot exports; ``render()`` is the body of ``GET /metrics``."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.sweeps = Counter(
            "dms_bot_sweeps",
            "Scheduled sweeps by outcome (ok, partial, failed, abandoned)",
            ["outcome"],
            registry=r,
        )
        self.sweep_duration = Histogram(
            "dms_bot_sweep_duration_seconds",
            "Wall time of a scheduled sweep",
            buckets=SWEEP_BUCKETS,
            registry=r,
        )
        self.last_success = Gauge(
            "dms_bot_last_successful_sweep_timestamp_seconds",
            "When the last successful sweep ended",
            registry=r,
        )
        self.dms_calls = Counter(
            "dms_bot_dms_calls",
            "DMS API calls (after botocore's retries) by operation and outcome",
            ["operation", "outcome"],
            registry=r,
        )
        self.dms_throttles = Counter(
            "dms_bot_dms_throttles",
            "DMS answers that were throttling errors (every attempt)",
            ["operation"],
            registry=r,
        )
        self._add_delivery_metrics(r)
        _zero(self.sweeps, SWEEP_OUTCOMES)
        _zero(self.tasks, VERDICTS)
        _zero(self.alerts_sent, _ALERT_KINDS.values())
        for action in PAGE_ACTIONS:
            for outcome in PAGE_OUTCOMES:
                self.pagerduty_events.labels(action, outcome)

    def _add_delivery_metrics(self, r: CollectorRegistry) -> None:
        self.cloudwatch_calls = Counter(
            "dms_bot_cloudwatch_calls",
            "CloudWatch API calls (CDC lag; its own quota, not the DMS budget) by operation and outcome",
            ["operation", "outcome"],
            registry=r,
        )
        self.tasks = Gauge("dms_bot_tasks", "Tasks by verdict in the last sweep", ["verdict"], registry=r)
        self.alerts_sent = Counter(
            "dms_bot_alerts_sent",
            "Outbox items delivered: Slack posts, updates, thread replies, webhook POSTs",
            ["kind"],
            registry=r,
        )
        self.pagerduty_events = Counter(
            "dms_bot_pagerduty_events",
            "PagerDuty Events API v2 attempts by event action and outcome (accepted, retried, rejected)",
            ["action", "outcome"],
            registry=r,
        )

    def paged(self, action: str, outcome: str) -> None:
        """One PagerDuty event sent: accepted (202), retried (429, 5xx, no answer) or rejected (4xx)."""
        self.pagerduty_events.labels(action, outcome).inc()

    def watch_outbox(self, stats: OutboxStats) -> None:
        """Export outbox depth and oldest age, read from ``stats()`` at every scrape."""
        self.registry.register(_OutboxCollector(stats))

    def watch_leadership(self, leading: Callable[[], bool], changes: Callable[[], int]) -> None:
        """Export whether this replica leads (``dms_bot_leader``) and how often that has changed."""
        self.registry.register(_LeadershipCollector(leading, changes))

    def observe_sweep(self, outcome: str, seconds: float, report: Report | None, *, at: float) -> None:
        self.sweeps.labels(outcome).inc()
        if outcome == "abandoned":
            return
        self.sweep_duration.observe(seconds)
        if report is None:
            return
        s = report.summary
        for verdict, count in zip(VERDICTS, (s.ok, s.warning, s.failure, s.errors), strict=True):
            self.tasks.labels(verdict).set(count)
        if outcome in ("ok", "partial"):
            self.last_success.set(at)

    def delivered(self, kind: str) -> None:
        """The Deliverer's ``on_sent`` hook: one item of ``kind`` (an outbox kind) was delivered."""
        self.alerts_sent.labels(_ALERT_KINDS.get(kind, "other")).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _zero(metric: Counter | Gauge, labels: Iterable[str]) -> None:
    """Export every known label value from the start (at 0), so dashboards see the series exist."""
    for label in labels:
        metric.labels(label)


class _OutboxCollector(Collector):
    def __init__(self, stats: OutboxStats) -> None:
        self.stats = stats

    def collect(self) -> Iterable[Metric]:
        try:
            depth, oldest = self.stats()
        except Exception:  # a locked store: leave the gauges out rather than fail the whole scrape
            return
        yield GaugeMetricFamily("dms_bot_outbox_depth", "Outbox items waiting to be delivered", value=depth)
        yield GaugeMetricFamily(
            "dms_bot_outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox item (0 when empty)",
            value=oldest or 0.0,
        )


class _LeadershipCollector(Collector):
    def __init__(self, leading: Callable[[], bool], changes: Callable[[], int]) -> None:
        self.leading, self.changes = leading, changes

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "dms_bot_leader", "1 while this replica leads (sweeps and delivers), else 0", value=self.leading()
        )
        yield CounterMetricFamily(
            "dms_bot_leader_changes",
            "Times this replica became leader or stopped being it",
            value=self.changes(),
        )


def instrument_dms(client: Any, metrics: Metrics) -> None:
    """Count a boto3 DMS client's calls by operation and outcome, and every throttled attempt."""
    events = client.meta.events

    def after_call(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
        status = getattr(http_response, "status_code", 0)
        code = (parsed or {}).get("Error", {}).get("Code") if status >= 300 else None
        metrics.dms_calls.labels(_operation(model), _outcome(status, code)).inc()

    def after_error(exception: Exception | None = None, event_name: str = "", **_: Any) -> None:
        refused = type(exception).__name__ in ("ShuttingDown", "NotLeader")
        outcome = "aborted" if refused else "network_error"
        metrics.dms_calls.labels(event_name.rsplit(".", 1)[-1], outcome).inc()

    def needs_retry(response: Any = None, operation: Any = None, **_: Any) -> None:
        if response is not None:
            code = (response[1] or {}).get("Error", {}).get("Code")
            if code in _THROTTLE_CODES:
                metrics.dms_throttles.labels(_operation(operation)).inc()
        # returning None leaves the decision to botocore's retry handler

    events.register(f"after-call.{DMS_EVENTS}", after_call, unique_id="dms-bot-metrics-after-call")
    events.register(f"after-call-error.{DMS_EVENTS}", after_error, unique_id="dms-bot-metrics-error")
    events.register(f"needs-retry.{DMS_EVENTS}", needs_retry, unique_id="dms-bot-metrics-retry")


def instrument_cloudwatch(client: Any, metrics: Metrics) -> None:
    """Count a boto3 CloudWatch client's calls by operation and outcome."""

    def after_call(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
        status = getattr(http_response, "status_code", 0)
        code = (parsed or {}).get("Error", {}).get("Code") if status >= 300 else None
        metrics.cloudwatch_calls.labels(_operation(model), _outcome(status, code)).inc()

    def after_error(event_name: str = "", **_: Any) -> None:
        metrics.cloudwatch_calls.labels(event_name.rsplit(".", 1)[-1], "network_error").inc()

    events = client.meta.events
    events.register("after-call.cloudwatch", after_call, unique_id="dms-bot-cw-metrics-after-call")
    events.register("after-call-error.cloudwatch", after_error, unique_id="dms-bot-cw-metrics-error")


def _operation(model: Any) -> str:
    return str(getattr(model, "name", "unknown"))


def _outcome(status: int, code: str | None) -> str:
    if status < 300:
        return "ok"
    if code in _THROTTLE_CODES:
        return "throttled"
    if code in _ACCESS_CODES:
        return "access_denied"
    if status >= 500:
        return "server_error"
    return "client_error"
