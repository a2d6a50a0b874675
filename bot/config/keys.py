"""The keys each TOML section allows, derived from the settings dataclasses' fields.

Only what the file cannot say the same way is written here: fields set from the environment alone,
the TOML keys that differ from their field's name, and fields whose own fields are keys of the same
table (``[dms_api] rate`` and ``burst`` are ``DmsApiSettings.budget``'s).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import fields
from typing import Any

from bot import settings as s
from bot.core.models import Policy


def toml_keys(
    model: Any,
    *,
    renamed: Mapping[str, str] | None = None,
    flattened: Mapping[str, Any] | None = None,
    env_only: Collection[str] = (),
    only: Collection[str] | None = None,
) -> frozenset[str]:
    """The TOML keys of the dataclass ``model``: one per field, under its TOML name."""
    renamed, flattened = renamed or {}, flattened or {}
    keys: set[str] = set()
    for f in fields(model):
        if f.name in env_only or (only is not None and f.name not in only):
            continue
        if f.name in flattened:
            keys |= toml_keys(flattened[f.name])
        else:
            keys.add(renamed.get(f.name, f.name))
    return frozenset(keys)


SECTIONS: Mapping[str, frozenset[str]] = {
    "slack": toml_keys(s.SlackSettings, env_only=("bot_token", "app_token", "signing_secret")),
    "webhook": toml_keys(s.WebhookSettings, env_only=("signing_secret",)),
    "schedule": toml_keys(s.ScheduleSettings),
    "policy": toml_keys(Policy) | {"stale_after"},  # stale_after: accepted, ignored (deprecated)
    "dms_api": toml_keys(s.DmsApiSettings, flattened={"budget": s.ApiBudget}),
    "store": toml_keys(s.StoreSettings, renamed={"retention_days": "retention"}),
    "ha": toml_keys(s.HaSettings),
    "heartbeat": toml_keys(s.HeartbeatSettings),
    "cutover": toml_keys(s.CutoverSettings),
    "logging": toml_keys(s.Settings, only=("log_format",), renamed={"log_format": "format"}),
}
"""Each ``[section]``'s allowed keys."""

TOP_LEVEL = frozenset(SECTIONS) | {"targets", "databases", "failures"}
TARGET = toml_keys(s.Target, renamed={"budget": "dms_api"})
"""The keys of one ``[[targets]]`` table; its ``dms_api`` sub-table takes :data:`TARGET_BUDGET`."""
TARGET_BUDGET = toml_keys(s.ApiBudget)
DATABASE = toml_keys(s.DatabaseSettings, env_only=("password",))
"""The keys of one ``[[databases]]`` table (its password comes from the URL or ``password_env``)."""
FAILURES = toml_keys(s.FailuresSettings)
