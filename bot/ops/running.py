"""The operational side of a running bot: metrics, how sweeps went, and the shutdown switches.

``Ops`` is the sweep cycle's observer, so /healthz and /metrics follow every scheduled sweep.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from bot.core.models import Report
from bot.ops.health import SweepTracker
from bot.ops.metrics import Metrics

FAILED_OUTCOMES = frozenset({"failed", "abandoned"})


@dataclass(frozen=True)
class Ops:
    metrics: Metrics = field(default_factory=Metrics)
    tracker: SweepTracker = field(default_factory=SweepTracker)
    abandoned: threading.Event = field(default_factory=threading.Event)
    shutting_down: threading.Event = field(default_factory=threading.Event)

    def started(self) -> None:
        self.tracker.started()

    def finished(self, outcome: str, *, seconds: float, report: Report | None) -> None:
        self.tracker.finished(outcome, success=outcome not in FAILED_OUTCOMES)
        self.metrics.observe_sweep(outcome, seconds, report, at=time.time())
