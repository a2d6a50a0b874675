"""Which tasks a target watches: identifiers, ARNs or shell-style globs (``billing-*``)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.models import Task

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Selection:
    """A set of task selectors. Empty means every task."""

    selectors: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.selectors

    @property
    def has_globs(self) -> bool:
        return any(is_glob(s) for s in self.selectors)

    @property
    def arns(self) -> tuple[str, ...]:
        return tuple(s for s in self.selectors if is_arn(s))

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(s for s in self.selectors if not is_arn(s) and not is_glob(s))

    def matches(self, task: Task) -> bool:
        return self.everything or any(matches(s, task) for s in self.selectors)

    def matches_identifier(self, identifier: str) -> bool:
        """Like :meth:`matches` when only the identifier is known (ARN selectors never match)."""
        return self.everything or any(
            fnmatch.fnmatchcase(identifier, s) if is_glob(s) else s == identifier for s in self.selectors
        )

    def unmatched(self, tasks: Iterable[Task]) -> list[str]:
        """Selectors that matched no task: a typo or a deleted task the user still expects."""
        tasks = list(tasks)
        return [s for s in self.selectors if not any(matches(s, t) for t in tasks)]


def is_arn(selector: str) -> bool:
    return selector.startswith("arn:")


def is_glob(selector: str) -> bool:
    return not is_arn(selector) and any(c in _GLOB_CHARS for c in selector)


def matches(selector: str, task: Task) -> bool:
    if is_arn(selector):
        return selector == task.arn
    if is_glob(selector):
        return fnmatch.fnmatchcase(task.identifier, selector)
    return selector == task.identifier


def resolve(name: str, candidates: Sequence[Task]) -> tuple[Task | None, list[Task]]:
    """Find one task by identifier, ARN, resource id or unique prefix.

    Returns ``(task, [])`` when exactly one matches, else ``(None, ambiguous_candidates)``.
    """
    name = name.strip()
    for task in candidates:
        if name in (task.identifier, task.arn, task.resource_id):
            return task, []
    folded = name.casefold()
    exact = [t for t in candidates if t.identifier.casefold() == folded]
    if len(exact) == 1:
        return exact[0], []
    prefixed = [t for t in candidates if t.identifier.casefold().startswith(folded)] if folded else []
    if len(prefixed) == 1:
        return prefixed[0], []
    return None, prefixed
