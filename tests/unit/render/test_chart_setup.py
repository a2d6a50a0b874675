"""matplotlib's config directory: left alone when usable, a private one when HOME is not writable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.render.chart_setup import MPLCONFIGDIR, ensure_config_dir

UNWRITABLE = "/proc/no-such-home"  # not even root can create this


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tempfile.gettempdir() answers a directory of this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_users_choice_is_kept(private_tmp: Path) -> None:
    env = {MPLCONFIGDIR: "/somewhere/chosen", "HOME": UNWRITABLE}
    assert ensure_config_dir(env) is None
    assert env[MPLCONFIGDIR] == "/somewhere/chosen"


def test_writable_defaults_are_left_to_matplotlib(private_tmp: Path) -> None:
    env = {"HOME": str(private_tmp / "home")}
    assert ensure_config_dir(env) is None
    assert MPLCONFIGDIR not in env
    assert (private_tmp / "home" / ".cache" / "matplotlib").is_dir()


def test_an_unwritable_home_gets_a_private_directory_kept_across_restarts(private_tmp: Path) -> None:
    env = {"HOME": UNWRITABLE}
    chosen = ensure_config_dir(env)
    assert chosen == env[MPLCONFIGDIR] == str(private_tmp / f"dms-bot-matplotlib-{os.getuid()}")
    assert stat.S_IMODE(Path(chosen).stat().st_mode) == 0o700
    assert ensure_config_dir({"HOME": UNWRITABLE}) == chosen  # the next start reuses its font cache


def test_a_directory_others_can_write_is_not_trusted(private_tmp: Path) -> None:
    """Someone else's (or world-writable) directory could hold a forged font cache: use a fresh one."""
    planted = private_tmp / f"dms-bot-matplotlib-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    chosen = ensure_config_dir({"HOME": UNWRITABLE})
    assert chosen is not None and chosen != str(planted)
    assert Path(chosen).parent == private_tmp and stat.S_IMODE(Path(chosen).stat().st_mode) == 0o700


def test_drawing_with_an_unwritable_home_neither_fails_nor_warns(tmp_path: Path) -> None:
    """The real thing, in a fresh process: no 'Matplotlib created a temporary cache directory'."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    env.update(HOME=UNWRITABLE, TMPDIR=str(tmp_path))
    code = (
        "from bot.render.chart import history_chart_png\n"
        "import sys; sys.stdout.buffer.write(history_chart_png([], task_id='t')[:8])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    assert (done.returncode, done.stderr.decode()) == (0, "")
    assert done.stdout == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / f"dms-bot-matplotlib-{os.getuid()}").is_dir()
