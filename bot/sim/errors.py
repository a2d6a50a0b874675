"""Exceptions of the simulator: DMS-shaped API errors and scenario-file errors."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file or dict is invalid; ``str(error)`` is one line naming the file and key."""


class SimError(Exception):
    """An error the simulator answers with, in the shape DMS uses (``__type`` + ``message``)."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def not_found(message: str = "Replication Task not found") -> SimError:
    """DMS's answer for an unknown (or deleted) task."""
    return SimError("ResourceNotFoundFault", message)


def invalid_param(message: str) -> SimError:
    """DMS's answer for a parameter value it rejects server-side."""
    return SimError("InvalidParameterValueException", message)


def invalid_state(message: str) -> SimError:
    """DMS's answer when the task's state does not allow the operation."""
    return SimError("InvalidResourceStateFault", message)
