"""Everything the Slack side needs, built once by the composition root and passed to listeners."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient

from bot.alerting import Alerter
from bot.deliver.outbox import Deliverer
from bot.questions import Questions
from bot.service import Checker
from bot.settings import Settings
from bot.slack.access import AccessControl
from bot.store.base import Store


@dataclass(frozen=True)
class Deps:
    settings: Settings
    checker: Checker
    questions: Questions
    web_client: WebClient
    access: AccessControl
    executor: ThreadPoolExecutor  # work after ack(): never blocks Slack's 3-second window
    clock: Callable[[], datetime]
    store: Store
    alerter: Alerter
    deliverer: Deliverer
