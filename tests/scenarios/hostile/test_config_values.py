"""Config files written carelessly or maliciously: whatever the TOML holds (any Unicode, markup,
newlines in keys, 100k-character values), ``check`` either runs or stops with exit 2 and exactly one
printable line on stderr naming the problem — never a traceback, never a multi-line message."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.errors import StoreError
from bot.sim import SimServer
from bot.store.sql import SqlStore
from tests.support.cli_process import aws_env, run_bot
from tests.support.hostile_strategies import encodable_text
from tests.support.inprocess import small_fleet
from tests.support.simtools import REGION

FIELDS = (
    ("slack", "channel"),
    ("slack", "allowed_users"),
    ("slack", "api_url"),
    ("schedule", "timezone"),
    ("schedule", "check_every"),
    ("schedule", "digest_at"),
    ("policy", "mode"),
    ("webhook", "url"),
    ("webhook", "send"),
    ("dms_api", "rate"),
    ("logging", "format"),
    ("store", "retention"),
    ("targets", "name"),
    ("targets", "region"),
    ("targets", "role_arn"),
    ("targets", "profile"),
    ("targets", "tasks"),
    ("targets", "channel"),
    ("targets", "mention"),
)


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, for the characters JSON escapes)."""
    return json.dumps(value, ensure_ascii=False)


def document(section: str, key: str, value: str, *, as_list: bool = False) -> str:
    rendered = f"[{toml_string(value)}]" if as_list else toml_string(value)
    header = "[[targets]]" if section == "targets" else f"[{section}]"
    extra = f'region = "{REGION}"\n' if section == "targets" and key != "region" else ""
    return f"{header}\n{extra}{toml_string(key)} = {rendered}\n"


def run_check(config: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--config", str(config), "--no-notify"])
    return code, out.getvalue(), err.getvalue()


def assert_clean_outcome(code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stderr
    if code == 2:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("dms-bot: "), stderr[:500]
        assert lines[0].isprintable() and len(lines[0]) <= 2100, lines[0][:200]
    else:
        assert code in (0, 1), (code, stderr[:500])
    shown = stdout.replace("\n", "")
    bad = {ch for ch in shown if unicodedata.category(ch) in ("Cc", "Cf", "Cs")}
    assert not bad, f"control characters reached the terminal report: {bad}"


@pytest.fixture
def sim_env(start_sim: Callable[..., SimServer], monkeypatch: pytest.MonkeyPatch) -> SimServer:
    """Configs that are valid run a real sweep, against the simulator (nothing leaves the machine)."""
    sim = start_sim(small_fleet())
    for name, value in aws_env(sim).items():
        monkeypatch.setenv(name, value)
    return sim


def test_hostile_values_in_every_config_field(sim_env: SimServer, tmp_path: Path) -> None:
    """Any hostile string in any field (or as an unknown key): a sweep, or one ConfigError line."""
    config = tmp_path / "hostile.toml"

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(field=st.sampled_from(FIELDS), value=encodable_text, as_list=st.booleans(), rename=st.booleans())
    def check(field: tuple[str, str], value: str, as_list: bool, rename: bool) -> None:
        section, key = field
        key = value[:60] if rename else key  # a hostile *key* (TOML allows any quoted key)
        config.write_text(document(section, key, value, as_list=as_list), encoding="utf-8")
        assert_clean_outcome(*run_check(config))

    check()


@pytest.mark.parametrize(
    "text",
    [
        '[slack]\n"evil\\nkey\\r\\n<!channel>" = 1\n',  # a newline in a key must not split the line
        '[slack]\nchannel = "<!channel>\\n\\u202e"\n',
        '[schedule]\ntimezone = "' + "\\u0000" * 10 + '"\n',
        '[[targets]]\nname = "t"\nregion = "eu-west-1"\nprofile = "' + "x" * 100_000 + '"\n',
        "[policy]\nmode = " + "[" * 2000 + "]" * 2000 + "\n",
        "\x00\x1b[2J not toml at all",
        "[webhook]\nurl = 'javascript:alert(1)'\n",
        "[targets]\nname = 1\n",
    ],
    ids=[
        "newline-key",
        "markup-value",
        "nul-timezone",
        "100k-profile",
        "deep-nesting",
        "binary",
        "js-url",
        "bad-shape",
    ],
)
def test_known_hostile_configs_give_one_line_from_the_real_cli(
    sim_env: SimServer, tmp_path: Path, text: str
) -> None:
    """``python -m bot check --config F`` as cron runs it: exit 2 and exactly one printable line."""
    config = tmp_path / "bot.toml"
    config.write_bytes(text.encode("utf-8", "surrogatepass"))
    result: subprocess.CompletedProcess[Any] = run_bot("check", "--config", str(config), env=aws_env(sim_env))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("dms-bot: ") and line.isprintable() and len(line) <= 2100


def test_a_database_path_with_a_nul_byte_is_a_store_error(tmp_path: Path) -> None:
    """DMS_BOT_DB holding a NUL byte: a StoreError saying so, not sqlite3's ValueError."""
    with pytest.raises(StoreError, match="NUL character"):
        SqlStore(str(tmp_path / "bot\x00.sqlite3"))
