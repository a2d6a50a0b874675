"""One ``serve`` per store: an exclusive lock on ``<database>.lock`` for the life of the process.

Two bots sharing one database would both sweep, both alert and both send the outbox, so every
alert could be posted twice. The lock is ``flock``: the kernel releases it when the process ends,
however it ends (SIGKILL and the OOM killer included), so a lock is never left behind, and a
bot that holds it knows any outbox item still marked "being sent" belongs to a run that died.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.errors import StoreError
from bot.store.location import MEMORY, is_url


class StoreLock:
    """Held from :meth:`acquire` until :meth:`release` (or the process's end)."""

    def __init__(self, database: str | Path) -> None:
        self.database = str(database)
        self.path = Path(f"{self.database}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`StoreError` naming the process that has it."""
        if is_url(self.database):
            return  # PostgreSQL: replicas coordinate in the database itself, not through a local file
        if self.database == MEMORY or "\x00" in self.database or not self.path.parent.is_dir():
            return  # nothing shared to protect; the store itself reports a bad path
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the lock file {self.path} beside the bot's database ({exc.strerror}); "
                "make its directory writable by the bot's user."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"another dms-bot (pid {holder})" if holder else "another dms-bot"
            raise StoreError(
                f"{who} is already running with the database {self.database}; run one bot per "
                "database, or point DMS_BOT_DB (store.path) at another file."
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"Cannot lock {self.path} ({exc.strerror}).") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _read_pid(fd: int) -> int | None:
    """The pid the holder wrote, if it is a plain number (the file is only ever written by us)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
