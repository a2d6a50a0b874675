"""The allowed TOML keys are derived from the settings dataclasses, and an unknown key lists them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest

from bot.config import keys, load_settings
from bot.config.keys import toml_keys
from bot.core.models import Policy
from bot.errors import ConfigError
from bot.settings import (
    ApiBudget,
    DatabaseSettings,
    DmsApiSettings,
    FailuresSettings,
    ScheduleSettings,
    StoreSettings,
    Target,
)


def names(model: type) -> set[str]:
    return {f.name for f in fields(model)}


def test_sections_take_their_keys_from_the_dataclass_fields() -> None:
    """A field added to a settings dataclass is a key of its section, with nothing else to edit."""
    assert keys.SECTIONS["schedule"] == names(ScheduleSettings)
    assert keys.SECTIONS["policy"] == names(Policy) | {"stale_after"}  # deprecated: accepted, ignored
    assert keys.SECTIONS["dms_api"] == names(DmsApiSettings) - {"budget"} | names(ApiBudget)
    assert keys.SECTIONS["store"] == names(StoreSettings) - {"retention_days"} | {"retention"}
    assert names(Target) - {"budget"} | {"dms_api"} == keys.TARGET
    assert names(ApiBudget) == keys.TARGET_BUDGET


def test_fields_set_only_from_the_environment_are_not_keys() -> None:
    """Tokens and signing secrets never come from the file."""
    assert not {"bot_token", "app_token", "signing_secret"} & keys.SECTIONS["slack"]
    assert "signing_secret" not in keys.SECTIONS["webhook"]
    assert keys.SECTIONS["logging"] == {"format"}
    assert {*keys.SECTIONS, "targets", "databases", "failures"} == keys.TOP_LEVEL
    assert "password" not in keys.DATABASE  # from the URL or password_env, never a key of its own


def test_database_keys_come_from_the_dataclass() -> None:
    assert names(DatabaseSettings) - {"password"} == keys.DATABASE
    assert names(FailuresSettings) == keys.FAILURES


def test_toml_keys_renames_flattens_and_skips() -> None:
    """The derivation itself, on a dataclass of its own."""

    @dataclass
    class Inner:
        rate: float = 1.0

    @dataclass
    class Section:
        plain: int = 0
        long_name: int = 0
        inner: Inner = field(default_factory=Inner)
        token: str = ""

    derived = toml_keys(
        Section, renamed={"long_name": "short"}, flattened={"inner": Inner}, env_only=("token",)
    )
    assert derived == {"plain", "short", "rate"}
    assert toml_keys(Section, only=("plain",)) == {"plain"}


@pytest.mark.parametrize(
    ("text", "where", "model_keys"),
    [
        ('[schedule]\nevery = "1m"', "schedule.every", sorted(names(ScheduleSettings))),
        ("[store]\nretention_days = 3", "store.retention_days", ["path", "retention"]),
        ("[policy]\nlenient = true", "policy.lenient", sorted(names(Policy) | {"stale_after"})),
        ('[[targets]]\nrole = "x"', "targets[0].role", sorted(keys.TARGET)),
        ("[[targets]]\ndms_api = { budget = 1 }", "targets[0].dms_api.budget", ["burst", "rate"]),
    ],
)
def test_an_unknown_key_lists_the_derived_allowed_keys(
    tmp_path: Path, text: str, where: str, model_keys: list[str]
) -> None:
    """The message names the key and every key its table allows, sorted."""
    path = tmp_path / "dms-bot.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert str(caught.value) == f"{path}: {where}: unknown key (expected one of: {', '.join(model_keys)})"
