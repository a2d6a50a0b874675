"""Every command's exit codes, in one place (the contract in DESIGN.md "Commands")."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # all healthy (warnings allowed); doctor: every check passed
    FAILURE = 1  # a failure verdict or a task error; doctor: a check failed
    UNUSABLE = 2  # could not run at all: bad flag, broken config, unknown task, nothing listed
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
