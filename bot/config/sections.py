"""The config file's sections that the environment does not fill: each one validated, and every
value the file leaves out taken from its settings dataclass's default."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import settings as s
from bot.config import keys
from bot.config.reader import TableReader
from bot.core.models import Policy, PolicyMode

CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_MENTION_ID = re.compile(r"^[SUW][A-Z0-9]{2,}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_CLOCK_TIME = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")


def policy(r: TableReader) -> Policy:
    default = Policy()
    deprecated_policy_keys(r)
    mode = r.get("mode") or default.mode.value
    if not isinstance(mode, str) or mode not in {m.value for m in PolicyMode}:
        raise r.fail("mode", f"expected 'default' or 'strict', got {mode!r}")
    cap = int(r.number("problem_table_cap", default.problem_table_cap, minimum=1, maximum=10_000))
    return Policy(
        mode=PolicyMode(mode),
        problem_table_cap=cap,
        stuck_after=r.duration("stuck_after", default.stuck_after, minimum=60),
        cdc_latency_warning=r.duration_or_off("cdc_latency_warning", default.cdc_latency_warning, minimum=1),
        cdc_latency_failure=r.duration_or_off("cdc_latency_failure", default.cdc_latency_failure, minimum=1),
    )


def deprecated_policy_keys(r: TableReader) -> None:
    """``stale_after`` judged LastUpdateTime, which is no freshness signal (DMS refreshes its
    statistics record on its own schedule); the key is still accepted, checked, and ignored."""
    r.duration("stale_after", None, minimum=60)


def budget(r: TableReader, default: s.ApiBudget) -> s.ApiBudget:
    rate = r.number("rate", default.rate, minimum=0.01, maximum=10_000)
    burst = int(r.number("burst", default.burst, minimum=1, maximum=100_000))
    return s.ApiBudget(rate=rate, burst=burst)


def dms_api(r: TableReader) -> s.DmsApiSettings:
    default = s.DmsApiSettings()
    return s.DmsApiSettings(
        budget=budget(r, default.budget),
        cache_ttl=r.duration("cache_ttl", default.cache_ttl),
        max_attempts=int(r.number("max_attempts", default.max_attempts, minimum=1, maximum=20)),
        connect_timeout=r.number("connect_timeout", default.connect_timeout, minimum=0.1, maximum=300),
        read_timeout=r.number("read_timeout", default.read_timeout, minimum=0.1, maximum=600),
    )


def targets(root: TableReader, default_budget: s.ApiBudget) -> tuple[s.Target, ...]:
    raw = root.get("targets")
    if raw is None:
        return s.Settings().targets
    if not isinstance(raw, list) or not raw:
        raise root.fail("targets", "expected one or more [[targets]] tables")
    found: list[s.Target] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise root.fail(f"targets[{index}]", "expected a table")
        found.append(_target(TableReader(item, f"targets[{index}].", root.source), index, default_budget))
    names = [t.name for t in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise root.fail("targets", f"duplicate target name {duplicates[0]!r}")
    return tuple(found)


def _target(r: TableReader, index: int, default_budget: s.ApiBudget) -> s.Target:
    r.check_keys(keys.TARGET)
    budget_table = r.table("dms_api")
    budget_table.check_keys(keys.TARGET_BUDGET)
    return s.Target(
        name=r.string("name") or f"target-{index + 1}",
        region=r.string("region", _REGION, "an AWS region such as 'eu-west-1'"),
        role_arn=r.string("role_arn", _ROLE_ARN, "an IAM role ARN"),
        profile=r.string("profile"),
        tasks=r.strings("tasks"),
        channel=r.string("channel", CHANNEL_ID, "a Slack channel ID such as 'C0123456789'"),
        mention=r.string("mention", _MENTION_ID, "a Slack user group or user ID such as 'S0123ABC'"),
        budget=budget(budget_table, default_budget) if budget_table.data else None,
    )


def ha(r: TableReader) -> s.HaSettings:
    default = s.HaSettings()
    return s.HaSettings(leader_timeout=r.duration("leader_timeout", default.leader_timeout, minimum=2))


def cutover(r: TableReader) -> s.CutoverSettings:
    default = s.CutoverSettings()
    return s.CutoverSettings(
        max_lag=r.duration("max_lag", default.max_lag),
        steady=r.duration("steady", default.steady, minimum=60),
        watch_for=r.duration("watch_for", default.watch_for, minimum=60),
        checklist=r.strings("checklist") or default.checklist,
    )


def schedule(r: TableReader) -> s.ScheduleSettings:
    default = s.ScheduleSettings()
    tz = r.string("timezone") or default.timezone
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail(
            "timezone", f"unknown time zone {tz!r} (use an IANA name such as 'Europe/Paris')"
        ) from None
    digest_at = default.digest_at
    if r.get("digest_at") is not None:
        digest_at = _clock_time(r, "digest_at")
    return s.ScheduleSettings(
        check_every=r.duration("check_every", default.check_every, minimum=10),
        remind_every=r.duration("remind_every", default.remind_every, minimum=60),
        digest_at=digest_at,
        timezone=tz,
    )


def _clock_time(r: TableReader, key: str) -> time:
    value = r.get(key)
    if isinstance(value, time):
        return value
    if isinstance(value, str) and _CLOCK_TIME.fullmatch(value.strip()):
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    raise r.fail(key, f"expected a time of day like '09:00', got {value!r}")
