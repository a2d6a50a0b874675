"""What the Slack listeners may reach, built once by the composition root: the application
services, access control and the clock. Nothing here talks to DMS or the store directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.app.cutover_watch import CutoverWatches
from bot.app.incidents import Incidents
from bot.app.questions import Questions
from bot.app.slack_events import SlackEvents
from bot.slack.access import AccessControl
from bot.slack.inflight import InFlight


@dataclass(frozen=True)
class Deps:
    questions: Questions
    incidents: Incidents
    access: AccessControl
    clock: Callable[[], datetime]
    events: SlackEvents | None = None  # Events API deliveries claimed once across replicas
    inflight: InFlight = field(default_factory=InFlight)  # answered or finished when the bot stops
    cutover: CutoverWatches | None = None  # the cutover gate and its watches (/dms ready, the step)
