"""``[pagerduty]``: paging on-call through the PagerDuty Events API v2.

The routing key comes from the file, ``DMS_BOT_PAGERDUTY_ROUTING_KEY`` or the Secrets Manager
secret's key of that name (in that order), and per target from ``pagerduty_routing_key``. It is a
secret: no message here quotes it, only its length. Its shape is checked by :func:`problems`, which
warns rather than refuses (start-up and ``doctor`` say so in one line): the 32 characters are
documented, the alphabet is not, and PagerDuty itself answers 400 to a key it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot import settings as s
from bot.config.reader import TableReader
from bot.config.sections import routing_key
from bot.errors import ConfigError

PAGE_ON = ("failure", "warning")
ROUTING_KEY_LENGTH = 32  # "the 32-character integration key" (PagerDuty's Events API v2 docs)
_ROUTING_KEY = re.compile(r"[A-Za-z0-9]+")  # observed keys: hex, or "R0…" for event orchestration


def pagerduty(r: TableReader, env: Mapping[str, str]) -> s.PagerDutySettings:
    default = s.PagerDutySettings()
    url = r.string("url") or env.get(s.ENV_PAGERDUTY_URL) or default.url
    if not url.startswith(("http://", "https://")):
        where = "pagerduty.url" if r.get("url") else s.ENV_PAGERDUTY_URL
        raise ConfigError(f"{r.source}: {where}: expected an http(s) URL, got {url!r}")
    page_on = r.get("page_on") or default.page_on
    if page_on not in PAGE_ON:
        raise r.fail("page_on", f"expected 'failure' or 'warning', got {page_on!r}")
    key = r.string("routing_key") or (env.get(s.ENV_PAGERDUTY_ROUTING_KEY) or "").strip()
    return s.PagerDutySettings(
        routing_key=routing_key(key),
        url=url,
        page_on=str(page_on),
        timeout=r.duration("timeout", default.timeout, minimum=0.1),
    )


def malformed(key: s.Secret) -> str | None:
    """What is wrong with the key's shape (never the key itself); None when it looks right."""
    value = key.reveal()
    if len(value) != ROUTING_KEY_LENGTH:
        return f"{len(value)} characters, expected {ROUTING_KEY_LENGTH}"
    if not _ROUTING_KEY.fullmatch(value):
        return "characters other than letters and digits"
    return None


def problems(settings: s.Settings) -> list[str]:
    """One line per routing key that does not look like one, naming where it was set."""
    found: list[str] = []
    where = [("the PagerDuty routing key", settings.pagerduty.routing_key)]
    where += [(f"target {t.name!r} pagerduty_routing_key", t.pagerduty_routing_key) for t in settings.targets]
    for name, key in where:
        problem = malformed(key) if key else None
        if problem:
            found.append(f"{name} does not look like a PagerDuty routing key ({problem})")
    return found


def paged_targets(settings: s.Settings) -> list[str]:
    """The targets whose incidents page someone."""
    return [t.name for t in settings.targets if settings.routing_key_for(t)]
