"""``SimServer``: the DMS simulator on a loopback port, in a background thread, driven from Python."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from bot.sim.clock import DEFAULT_QUOTA, SimClock, TokenBucket
from bot.sim.clock import quota as quota_of
from bot.sim.engine import Engine, Latency
from bot.sim.faults import FaultRule
from bot.sim.handler import SimHTTPServer
from bot.sim.model import Scenario


class SimServer:
    """Serves ``scenario`` over the real DMS JSON protocol so unmodified boto3 and the AWS CLI work.

    Scenario time runs at ``time_scale`` x real time (plus ``advance``); it drives both the scenario's
    timed changes and the token bucket's refill, so tests can compress minutes into milliseconds.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        latency: Latency = 0.0,
        throttling: bool = True,
        clock: Callable[[], float] | None = None,
        bucket_capacity: float | None = None,
        bucket_refill: float | None = None,
        start_epoch: float | None = None,
        quota: str = DEFAULT_QUOTA,
    ) -> None:
        self.scenario = scenario
        self.host, self._port = host, port
        self._clock = SimClock(time_scale, clock)
        capacity, refill = quota_of(quota)  # "current" (200, 8/s) or "old" (100, 4/s)
        bucket = TokenBucket(
            self._clock.now,
            capacity=capacity if bucket_capacity is None else bucket_capacity,
            refill=refill if bucket_refill is None else bucket_refill,
            enabled=throttling,
        )
        self.engine = Engine(scenario, clock=self._clock, bucket=bucket, latency=latency, epoch0=start_epoch)
        self._fixed_epoch = start_epoch is not None
        self._http: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SimServer:
        """Bind and serve in a daemon thread; scenario time 0 is now (advances are kept)."""
        if self._http is not None:
            return self
        self._http = SimHTTPServer((self.host, self._port), self.engine)
        self._clock.restart()
        if not self._fixed_epoch:
            self.engine.state.epoch0 = time.time()
        self.engine.bucket.configure()
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="dms-sim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        http, self._http = self._http, None
        if http is None:
            return
        http.shutdown()
        http.server_close()
        http.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the requested one until ``start``)."""
        return self._http.server_address[1] if self._http is not None else self._port

    @property
    def url(self) -> str:
        """Endpoint URL for boto3 ``endpoint_url`` / ``AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def counters(self) -> dict[str, dict[str, int]]:
        """``{"calls": {op: n}, "throttled": {...}, "errors": {...}}`` for DMS (calls include throttled
        ones), and ``"cloudwatch"`` / ``"cloudwatch_errors"`` for CloudWatch's own calls."""
        return self.engine.counters.snapshot()

    def total_calls(self) -> int:
        """All requests received, of any operation."""
        return sum(self.counters()["calls"].values())

    def reset_counters(self) -> None:
        """Zero every counter."""
        self.engine.counters.reset()

    def now(self) -> float:
        """Scenario seconds since start."""
        return self._clock.now()

    def epoch(self) -> float:
        """The scenario's current wall-clock time (epoch seconds), as LastUpdateTime reports it."""
        return self.engine.state.epoch(self.now())

    def advance(self, seconds: float) -> float:
        """Move scenario time forward (also refills the token bucket); returns the new time."""
        return self._clock.advance(seconds)

    def set_faults(self, rules: Iterable[FaultRule]) -> None:
        """Replace the fault rules; ``[]`` clears them."""
        self.engine.set_faults(rules)

    def faults(self) -> list[dict[str, Any]]:
        """Rules still armed, with their remaining counts."""
        return self.engine.faults.active()

    def reloads(self) -> list[dict[str, Any]]:
        """Every ReloadTables request: task_arn, tables, option, at (scenario s), accepted."""
        with self.engine.state.lock:
            return copy.deepcopy(self.engine.state.reloads)

    def set_throttling(
        self, *, enabled: bool | None = None, capacity: float | None = None, refill: float | None = None
    ) -> None:
        """Reshape the account's token bucket (it starts full again)."""
        self.engine.bucket.configure(capacity=capacity, refill=refill, enabled=enabled)

    def tokens(self) -> float:
        """Tokens left in the bucket now."""
        return self.engine.bucket.tokens()

    def set_cdc_latency(self, ref: str, *, source: float | None, target: float | None) -> None:
        """From now on CloudWatch reports these CDCLatencySource/Target seconds for the task while it
        runs (None: no datapoints). KeyError for an unknown task."""
        self.engine.set_cdc_latency(ref, source=source, target=target)

    def delete_task(self, ref: str) -> bool:
        """Make a task (ARN or identifier) disappear, as if deleted; False if unknown."""
        return self.engine.state.delete(ref)
