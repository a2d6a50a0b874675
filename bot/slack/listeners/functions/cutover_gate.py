"""The ``dms_cutover_gate`` step: input ``task`` (and optionally ``max_lag``), outputs ``ready``,
``summary`` and ``blockers`` — teams put it ahead of their "switch DNS" step. A task the bot does
not know, bad input, or DMS unreachable ends the step with one clear sentence (``fail``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Complete, Fail
from slack_sdk.errors import SlackClientError

from bot.render.ready import step_failure
from bot.slack.answers import step_outcome
from bot.slack.deps import Deps

log = logging.getLogger(__name__)

CALLBACK_ID = "dms_cutover_gate"


def cutover_gate_step(*, inputs: Mapping[str, Any], complete: Complete, fail: Fail, deps: Deps) -> None:
    try:
        outcome = step_outcome(inputs, deps.questions, deps.cutover)
    except Exception:  # a bug: the workflow still gets an answer, the details go to the log
        log.exception("the %s step failed", CALLBACK_ID)
        outcome = step_failure("The DMS bot failed while judging the cutover gate; its log has the details.")
    try:
        if isinstance(outcome, str):
            fail(outcome)
        else:
            complete(outputs=outcome)
    except (SlackClientError, OSError) as exc:  # already completed, token revoked, Slack down
        log.warning("the %s step's answer was not accepted by Slack: %s", CALLBACK_ID, exc)
