"""``[pagerduty]``: the routing key from the file, the environment, the secret or per target; the URL
(EU region, tests); page_on; every default the dataclass's; the key's shape said, never the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.config.pagerduty import problems
from bot.errors import ConfigError
from bot.settings import DEFAULT_PAGERDUTY_URL, PagerDutySettings, Secret

KEY = "0123456789abcdef0123456789abcdef"
OTHER = "R0123456789ABCDEFGHIJKLMNOPQRSTU"  # event orchestration keys start with R


def load(
    tmp_path: Path, text: str = "", env: dict[str, str] | None = None, secret: dict[str, str] | None = None
):
    path = tmp_path / "bot.toml"
    path.write_text(text)
    environ = {"DMS_BOT_SECRET_ID": "dms-bot/prod", **(env or {})} if secret else dict(env or {})
    return load_settings(path, env=environ, secret_loader=(lambda _id: secret or {}))


def test_nothing_set_means_no_paging_and_the_dataclass_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.pagerduty == PagerDutySettings()
    assert settings.pagerduty.url == DEFAULT_PAGERDUTY_URL and settings.pagerduty.page_on == "failure"
    assert settings.routing_key_for(settings.targets[0]) is None


def test_the_file_wins_over_the_environment_which_wins_over_the_secret(tmp_path: Path) -> None:
    secret = {"DMS_BOT_PAGERDUTY_ROUTING_KEY": "s" * 32}
    env = {"DMS_BOT_PAGERDUTY_ROUTING_KEY": "e" * 32}
    assert load(tmp_path, secret=secret).pagerduty.routing_key == Secret("s" * 32)
    assert load(tmp_path, env=env, secret=secret).pagerduty.routing_key == Secret("e" * 32)
    in_file = load(tmp_path, f'[pagerduty]\nrouting_key = "{KEY}"\n', env=env, secret=secret)
    assert in_file.pagerduty.routing_key == Secret(KEY)


def test_a_target_pages_its_own_service_and_every_key_is_a_secret(tmp_path: Path) -> None:
    text = f"""
[pagerduty]
routing_key = "{KEY}"
page_on = "warning"
[[targets]]
name = "prod"
pagerduty_routing_key = "{OTHER}"
[[targets]]
name = "staging"
"""
    settings = load(
        tmp_path, text, env={"DMS_BOT_PAGERDUTY_URL": "https://events.eu.pagerduty.com/v2/enqueue"}
    )
    prod, staging = settings.targets
    assert settings.routing_key_for(prod) == Secret(OTHER) and settings.routing_key_for(staging) == Secret(
        KEY
    )
    assert settings.pagerduty.page_on == "warning"
    assert settings.pagerduty.url == "https://events.eu.pagerduty.com/v2/enqueue"
    assert {KEY, OTHER} <= set(settings.secrets())
    assert KEY not in repr(settings) and OTHER not in repr(settings)
    assert problems(settings) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[pagerduty]\npage_on = "error"\n',
            "pagerduty.page_on: expected 'failure' or 'warning', got 'error'",
        ),
        ('[pagerduty]\nurl = "events.pagerduty.com"\n', "pagerduty.url: expected an http(s) URL"),
        ('[pagerduty]\nservice_key = "x"\n', "pagerduty.service_key: unknown key"),
        ("[pagerduty]\nrouting_key = 12\n", "pagerduty.routing_key: expected a non-empty string, got 12"),
    ],
)
def test_bad_values_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(tmp_path, text)


def test_a_malformed_key_is_said_in_one_line_without_quoting_it(tmp_path: Path) -> None:
    bad = "abc-" + "1" * 27  # 31 characters, one of them a dash
    text = f'[[targets]]\nname = "prod"\npagerduty_routing_key = "{bad}"\n'
    settings = load(tmp_path, text, env={"DMS_BOT_PAGERDUTY_ROUTING_KEY": KEY + "\u200b"})
    assert problems(settings) == [
        "the PagerDuty routing key does not look like a PagerDuty routing key (33 characters, expected 32)",
        "target 'prod' pagerduty_routing_key does not look like a PagerDuty routing key "
        "(31 characters, expected 32)",
    ]
    spaced = load(tmp_path, f'[pagerduty]\nrouting_key = "{KEY[:16]} {KEY[17:]}"\n')
    assert problems(spaced) == [
        "the PagerDuty routing key does not look like a PagerDuty routing key "
        "(characters other than letters and digits)"
    ]
