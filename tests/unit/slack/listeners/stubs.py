"""Stand-ins for what a listener touches: a recording ``respond``, a recording Web API client, and
stub application services returning canned plain values. ``Deps`` gets a real AccessControl.

Each stub records every call as ``(method, args, kwargs)`` so a test can say which service method
was called with what, and answers with the values the test put on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.app.cutover_watch import CutoverWatches
from bot.app.failed_rows import FailedRowsPage
from bot.app.incidents import Incidents, Snoozed
from bot.app.questions import Found, History, Home, ListingProblem, Lookup, Questions, TablesPage
from bot.app.revalidation import Outcome
from bot.app.sweeps import Watched
from bot.aws.dms import DmsGateway
from bot.core.evaluate import evaluate
from bot.core.failures import FailurePage, to_failure_row
from bot.core.models import Policy, Report, TableStats, Task, TaskError, TaskVerdict
from bot.core.records import VerdictRow
from bot.render.buttons import encode_value
from bot.settings import Target
from bot.slack.access import AccessControl
from bot.slack.deps import Deps
from tests.support.fakes.slack_payloads import block_actions_body
from tests.support.simtools import T0, Clock

CHANNEL = "C0ALERTS01"
USER = "U0ALICE"
ARN = "arn:aws:dms:eu-west-1:123456789012:task:BILLINGCDC000000000000000000001"
OTHER_ARN = "arn:aws:dms:eu-west-1:123456789012:task:ORDERSCDC0000000000000000000002"
FORGED_ARN = "arn:aws:dms:eu-west-1:999999999999:task:SOMEONEELSES00000000000000000009"
TASK = Task(identifier="billing-cdc", arn=ARN, status="running", migration_type="cdc")
OTHER_TASK = Task(identifier="orders-cdc", arn=OTHER_ARN, status="running", migration_type="cdc")
FOUND = Found(Watched(Target(name="demo"), cast(DmsGateway, None)), TASK)  # stubs never reach DMS
INVOICES = TableStats("billing", "invoices", "Table completed", "Mismatched records", failed_records=3)
PAYMENTS = TableStats("billing", "payments", "Table completed", "Validated")


def verdict_of(task: Task, *tables: TableStats) -> TaskVerdict:
    """A real verdict from the pure core, as a sweep would make it."""
    return evaluate(task, tables, now=T0, policy=Policy(), target="demo")


FAILING = verdict_of(TASK, INVOICES, PAYMENTS)
HEALTHY = verdict_of(OTHER_TASK, PAYMENTS)
REPORT = Report(checked_at=T0, tasks=(FAILING, HEALTHY), duration_seconds=1.0)
FAILED_ROW = to_failure_row(
    schema="billing",
    table="invoices",
    failure_type="RECORD_DIFF",
    key='{"key": ["<!channel>"]}',
    failure_time=T0,
    details="amount 10 != 12",
)
FAILED_ROWS = FailurePage(total=25, by_type={"RECORD_DIFF": 20, "MISSING_TARGET": 5}, rows=(FAILED_ROW,) * 10)
ROW = VerdictRow(
    1, T0, "demo", ARN, "billing-cdc", "failure", "running", 2, 3, 0, 0, 1, ("1 table Mismatched",)
)


def click_body(action_id: str, value: dict[str, Any] | str, **kw: Any) -> dict[str, Any]:
    """A block_actions body from ``USER`` in ``CHANNEL``; a dict value is encoded as the bot would."""
    raw = value if isinstance(value, str) else encode_value(value)
    kw.setdefault("user_id", USER)
    kw.setdefault("channel_id", CHANNEL)
    return block_actions_body(action_id, raw, **kw)


def ephemeral(body: dict[str, Any]) -> dict[str, Any]:
    """The same click, on an ephemeral message (only response_url can change it)."""
    body["container"]["is_ephemeral"] = True
    return body


class Recorder:
    """Records calls as (method, args, kwargs)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((method, args, kwargs))

    def called(self, method: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(a, k) for m, a, k in self.calls if m == method]

    @property
    def methods(self) -> list[str]:
        return [m for m, _, _ in self.calls]


class RecordingRespond:
    """``respond`` as Bolt passes it: every call's keyword arguments are kept."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    def only(self) -> dict[str, Any]:
        assert len(self.calls) == 1, self.calls
        return self.calls[0]

    def text(self, index: int = -1) -> str:
        """A reply's fallback text and its blocks, as one string to search."""
        call = self.calls[index]
        return f"{call['text']} {json.dumps(call['blocks'])}"

    @property
    def as_respond(self) -> Respond:
        return cast(Respond, self)


def slack_error(method: str, error: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url=f"https://slack.invalid/api/{method}",
        req_args={},
        data={"ok": False, "error": error},
        headers={},
        status_code=200,
    )
    return SlackApiError(f"The request to the Slack API failed. ({error})", response)


class StubClient(Recorder):
    """The Web API methods listeners and access control call; ``fail[method]`` is raised instead."""

    def __init__(self, *, groups: dict[str, list[str]] | None = None) -> None:
        super().__init__()
        self.fail: dict[str, Exception] = {}
        self.groups = groups or {}

    def _answer(self, method: str, **kwargs: Any) -> dict[str, Any]:
        self._record(method, **kwargs)
        if method in self.fail:
            raise self.fail[method]
        return {"ok": True}

    def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        return self._answer("chat_update", **kwargs)

    def files_upload_v2(self, **kwargs: Any) -> dict[str, Any]:
        return self._answer("files_upload_v2", **kwargs)

    def views_publish(self, **kwargs: Any) -> dict[str, Any]:
        return self._answer("views_publish", **kwargs)

    def usergroups_users_list(self, **kwargs: Any) -> dict[str, Any]:
        self._answer("usergroups_users_list", **kwargs)
        return {"ok": True, "users": self.groups.get(kwargs["usergroup"], [])}

    @property
    def as_web_client(self) -> WebClient:
        return cast(WebClient, self)


@dataclass
class StubQuestions(Recorder):
    """Canned answers for every Questions method a listener may call."""

    watched: set[str] = field(default_factory=lambda: {ARN, OTHER_ARN})
    lookup: Lookup = FOUND
    outcome: TaskVerdict | TaskError = FAILING
    report: Report = REPORT
    rows: list[VerdictRow] = field(default_factory=lambda: [ROW])
    verdict_answer: tuple[list[TaskVerdict], list[TaskError]] = field(default_factory=lambda: ([FAILING], []))
    home_answer: Home | None = None
    problem: ListingProblem | None = None
    raises: Exception | None = None  # raised by every DMS-backed answer

    def __post_init__(self) -> None:
        Recorder.__init__(self)

    def _dms(self, method: str, *args: Any, **kwargs: Any) -> None:
        self._record(method, *args, **kwargs)
        if self.raises is not None:
            raise self.raises

    def is_watched(self, arn: str) -> bool:
        self._record("is_watched", arn)
        return arn in self.watched

    def find(self, name: str) -> Lookup:
        self._record("find", name)
        return self.lookup

    def status(self, found: Found, *, fresh: bool = False) -> TaskVerdict | TaskError:
        self._dms("status", found, fresh=fresh)
        return self.outcome

    def recheck(self, arns: list[str] | None) -> Report:
        self._dms("recheck", arns)
        return self.report

    def verdicts(self, arns: list[str]) -> tuple[list[TaskVerdict], list[TaskError]]:
        self._dms("verdicts", arns)
        return self.verdict_answer

    def fleet(self) -> Report:
        self._dms("fleet")
        return self.report

    def tables(self, found: Found, *, state: str | None, page: int, page_size: int = 20) -> TablesPage:
        self._dms("tables", found, state=state, page=page)
        chosen = (INVOICES,) if state else (INVOICES, PAYMENTS)
        return TablesPage(found.task, chosen, state, page, page_size, len(chosen), T0)

    def failures(self, found: Found, *, table: str | None, page: int, page_size: int = 10) -> FailedRowsPage:
        self._dms("failures", found, table=table, page=page)
        return FailedRowsPage(found.task, "billing-target", "postgres", FAILED_ROWS, page, page_size)

    def history(self, task: Task, *, sweeps: int) -> History:
        self._record("history", task, sweeps=sweeps)
        return History(self.rows, "Europe/Paris")

    def home(self) -> Home:
        self._record("home")
        return self.home_answer or Home([ROW], [], {}, None, T0)

    def last_report(self) -> Report | None:
        self._record("last_report")
        return self.report

    def last_verdict(self, arn: str) -> TaskVerdict | None:
        self._record("last_verdict", arn)
        return next((v for v in self.report.tasks if v.task.arn == arn), None)

    def listing_problem(self) -> ListingProblem | None:
        self._record("listing_problem")
        return self.problem


@dataclass
class StubIncidents(Recorder):
    """Canned answers for the Incidents methods a listener may call."""

    acknowledged: bool = True
    snoozed: Snoozed = field(default_factory=lambda: Snoozed(until=T0, alert_open=True))
    outcome: Outcome = field(default_factory=Outcome)
    alert_message: bool = False
    observed: bool = True
    raises: Exception | None = None

    def __post_init__(self) -> None:
        Recorder.__init__(self)

    def _act(self, method: str, *args: Any, **kwargs: Any) -> None:
        self._record(method, *args, **kwargs)
        if self.raises is not None:
            raise self.raises

    def acknowledge(self, task_arn: str, *, user: str) -> bool:
        self._act("acknowledge", task_arn, user=user)
        return self.acknowledged

    def snooze(self, task_arn: str, *, user: str, hours: int) -> Snoozed:
        self._act("snooze", task_arn, user=user, hours=hours)
        return self.snoozed

    def revalidate(self, task_arn: str, *, user: str, operator: bool) -> Outcome:
        self._act("revalidate", task_arn, user=user, operator=operator)
        return self.outcome

    def is_alert_message(self, arn: str, message_ts: str | None) -> bool:
        self._record("is_alert_message", arn, message_ts)
        return self.alert_message

    def observe(self, seen: TaskVerdict | TaskError, *, note: str | None = None) -> bool:
        self._record("observe", seen, note=note)
        return self.observed


@dataclass
class Wiring:
    """What a listener test hands the listener, and what it inspects afterwards."""

    questions: StubQuestions = field(default_factory=StubQuestions)
    incidents: StubIncidents = field(default_factory=StubIncidents)
    client: StubClient = field(default_factory=StubClient)
    respond: RecordingRespond = field(default_factory=RecordingRespond)
    allowed_channels: tuple[str, ...] = ()
    allowed_users: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    clock: Clock = field(default_factory=Clock)
    cutover: CutoverWatches | None = None

    @property
    def deps(self) -> Deps:
        access = AccessControl(
            client=self.client.as_web_client,
            allowed_channels=self.allowed_channels,
            allowed_users=self.allowed_users,
            operators=self.operators,
        )
        return Deps(
            questions=cast(Questions, self.questions),
            incidents=cast(Incidents, self.incidents),
            access=access,
            clock=self.clock,
            cutover=self.cutover,
        )

    def click(self, listener: Any, body: dict[str, Any]) -> None:
        """Run a button listener the way the lazy listener does."""
        listener(body=body, respond=self.respond.as_respond, client=self.client.as_web_client, deps=self.deps)
