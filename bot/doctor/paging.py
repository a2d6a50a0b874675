"""Paging on-call: is a PagerDuty routing key set, for which targets, and does it look like one?

PagerDuty is not contacted: the Events API has no read-only call, and a test event would page
someone. The key is never printed, not even in part.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.config.pagerduty import paged_targets, problems
from bot.doctor import Check, Status, fail, ok
from bot.settings import Settings

NAME = "pagerduty"


def check_pagerduty(settings: Settings) -> Check:
    paged = paged_targets(settings)
    if not paged:
        return Check(
            NAME,
            Status.SKIP,
            "paging not configured (no [pagerduty] routing_key, DMS_BOT_PAGERDUTY_ROUTING_KEY "
            "or [[targets]] pagerduty_routing_key)",
        )
    found = problems(settings)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        return fail(NAME, found[0] + more, "copy the integration key of an Events API v2 integration")
    host = urlsplit(settings.pagerduty.url).hostname or "?"
    total = len(settings.targets)
    return ok(
        NAME,
        f"paging configured: routing key ******** for {len(paged)} of {total} target"
        f"{'s' * (total != 1)}, events to {host}, pages on {settings.pagerduty.page_on} "
        "(not contacted: an event would page someone)",
    )
