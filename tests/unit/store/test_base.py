"""The store's protocols: SqlStore provides every method of every concern, with the same
parameters, and the concerns split Store without overlap (so a backend can implement them one by one)."""

from __future__ import annotations

import inspect
from typing import Any, Protocol

import pytest

from bot.store import base
from bot.store.base import (
    AlertBook,
    AuditLog,
    Claims,
    CutoverWatchBook,
    DigestStore,
    Meta,
    Outbox,
    Store,
    SweepHistory,
    SweepStore,
    Transactional,
)
from bot.store.sql import SqlStore

CONCERNS = (SweepHistory, AlertBook, AuditLog, Outbox, Meta, Claims, CutoverWatchBook, Transactional)
EVERY_PROTOCOL = (*CONCERNS, SweepStore, DigestStore, Store)


def declared(protocol: type) -> dict[str, Any]:
    """The methods a protocol declares itself (not those it inherits)."""
    return {
        name: member
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def required(protocol: type) -> dict[str, Any]:
    """Every method a protocol requires, its bases' included."""
    methods: dict[str, Any] = {}
    for cls in reversed(protocol.__mro__):
        if Protocol in cls.__bases__ or cls is protocol:
            methods.update(declared(cls))
    return methods


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    """Name, kind and default of each parameter after ``self``."""
    params = list(inspect.signature(function).parameters.values())[1:]
    return [(p.name, p.kind, p.default) for p in params]


def mismatches(protocol: type, implementation: type) -> list[str]:
    """What ``implementation`` lacks, or takes differently, of ``protocol``'s methods."""
    problems = []
    for name, wanted in sorted(required(protocol).items()):
        found = getattr(implementation, name, None)
        if not callable(found):
            problems.append(f"{name}: missing")
        elif parameters(found) != parameters(wanted):
            problems.append(f"{name}: takes {parameters(found)}, not {parameters(wanted)}")
    return problems


@pytest.mark.parametrize("protocol", EVERY_PROTOCOL, ids=lambda p: p.__name__)
def test_sqlite_store_provides_every_method_of_each_protocol(protocol: type) -> None:
    """Checked at run time as well as by mypy: names, parameter kinds and defaults."""
    assert required(protocol), f"{protocol.__name__} requires nothing: the check would pass vacuously"
    assert mismatches(protocol, SqlStore) == []


def test_the_check_catches_a_missing_method_and_a_changed_parameter() -> None:
    """The structural check is not vacuous: a backend that lacks or changes a method fails it."""

    class HalfOutbox:
        def enqueue(self, *, destination: str, kind: str, payload: Any, key: str) -> None: ...

    problems = mismatches(Outbox, HalfOutbox)
    assert "due_items: missing" in problems
    assert any(p.startswith("enqueue: takes") for p in problems)


def test_the_concerns_split_store_without_overlap() -> None:
    """Each of Store's methods belongs to exactly one concern (close() is the root's alone)."""
    owners: dict[str, list[str]] = {}
    for concern in CONCERNS:
        for name in declared(concern):
            owners.setdefault(name, []).append(concern.__name__)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}
    assert set(owners) | {"close"} == set(required(Store))


def test_every_protocol_in_the_module_is_checked_here() -> None:
    """A protocol added to bot.store.base must be listed here, so the checks above cover it."""
    protocols = {
        obj
        for obj in vars(base).values()
        if isinstance(obj, type) and Protocol in obj.__bases__ and obj.__module__ == base.__name__
    }
    assert protocols == set(EVERY_PROTOCOL)


def test_the_narrow_protocols_accept_a_sqlite_store(store: SqlStore) -> None:
    """mypy checks these assignments: each consumer's protocol is satisfied by the SQLite store."""
    views: tuple[Store, SweepStore, DigestStore, Outbox, SweepHistory] = (store, store, store, store, store)
    assert all(view is store for view in views)
