"""Loading matplotlib for server-side charts: lazily, without pyplot, and quietly.

Nothing here runs at import time. :func:`load_matplotlib` is called by the first chart drawn, so a
bot that never draws one never pays for matplotlib (about half a second to import). When the user's
default matplotlib directories cannot be written (a container with a read-only or missing HOME),
matplotlib would make a throw-away temporary directory, rebuild its font cache in it at every start
and log a warning saying so; instead ``MPLCONFIGDIR`` (matplotlib's own variable, read at its import)
is pointed at a private directory that survives restarts.
"""

from __future__ import annotations

import importlib
import os
import stat
import sys
import tempfile
import threading
from collections.abc import MutableMapping
from pathlib import Path

MPLCONFIGDIR = "MPLCONFIGDIR"
_LOAD_LOCK = threading.Lock()


def _writable(path: Path) -> bool:
    """What matplotlib checks: it can create the directory and write in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return path.is_dir() and os.access(path, os.W_OK)


def _default_dirs(env: MutableMapping[str, str]) -> list[Path]:
    """matplotlib's own defaults when MPLCONFIGDIR is unset: XDG config and cache on Linux/BSD."""
    try:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    except RuntimeError:  # no HOME and no passwd entry
        return []
    if not sys.platform.startswith(("linux", "freebsd")):
        return [home / ".matplotlib"]
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    cache = env.get("XDG_CACHE_HOME") or str(home / ".cache")
    return [Path(config, "matplotlib"), Path(cache, "matplotlib")]


def _private_dir() -> str:
    """``$TMPDIR/dms-bot-matplotlib-<uid>``, kept across restarts when it is really ours.

    A directory of that name made by someone else (or a symlink) could feed us a forged font
    cache, so then a fresh ``mkdtemp`` is used instead.
    """
    path = Path(tempfile.gettempdir(), f"dms-bot-matplotlib-{os.getuid()}")
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return tempfile.mkdtemp(prefix="dms-bot-matplotlib-")
    ours = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
    return str(path) if ours else tempfile.mkdtemp(prefix="dms-bot-matplotlib-")


def ensure_config_dir(env: MutableMapping[str, str] | None = None) -> str | None:
    """Sets ``MPLCONFIGDIR`` when it is unset and matplotlib's defaults are not writable.

    Returns the directory set, or None when matplotlib's own choice is fine (or the user chose).
    """
    env = os.environ if env is None else env
    if env.get(MPLCONFIGDIR):
        return None
    defaults = _default_dirs(env)
    if defaults and all(_writable(d) for d in defaults):
        return None
    chosen = _private_dir()
    env[MPLCONFIGDIR] = chosen
    return chosen


def load_matplotlib() -> None:
    """Imports matplotlib's object API and the Agg canvas once; safe to call from any thread."""
    with _LOAD_LOCK:
        if "matplotlib.backends.backend_agg" in sys.modules:
            return
        ensure_config_dir()
        importlib.import_module("matplotlib.backends.backend_agg")  # also imports matplotlib
