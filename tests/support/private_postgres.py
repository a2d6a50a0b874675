"""A PostgreSQL server of the test's own (``initdb`` into a temporary directory, on a free port),
for tests that restart the server: restarting the machine's shared server would break every other
test using it at the time. Stopped and deleted afterwards, however the test ends.

Needs the server binaries (``pg_config --bindir``, or Debian's ``/usr/lib/postgresql/*/bin``); as
root they run as the ``postgres`` user, since PostgreSQL refuses to run as root. Without them the
test is skipped on a laptop and fails with one line under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import IN_CI
from tests.support.serve_process import free_port


def _bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (found / "initdb").exists():
            return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


@dataclass
class PrivateServer:
    bindir: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.data / "server.log"), "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        """Stop (fast: every session is cut off) and start again, as an operator's restart does."""
        self.stop()
        self.start()


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true needs the PostgreSQL server binaries: {message}", pytrace=False)
    pytest.skip(message)


@contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    bindir = _bindir()
    if bindir is None:
        _unavailable("no initdb found (install the PostgreSQL server package)")
        raise AssertionError("unreachable")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    top = Path(tempfile.mkdtemp(prefix="dms-bot-pg-"))
    data = top / "data"
    if as_user:
        shutil.chown(top, "postgres")
    server = PrivateServer(bindir, data, free_port(), as_user)
    try:
        initdb = [*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run(initdb, check=True, capture_output=True, timeout=120)
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):  # never started, or stopped
            server.stop()
        shutil.rmtree(top, ignore_errors=True)
