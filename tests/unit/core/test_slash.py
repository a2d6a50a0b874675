"""The /dms parser: every documented form, and no input can make it raise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.slash import PROBLEMS, SUBCOMMANDS, Command, match_state, parse_command, split_table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("help")),
        ("   ", Command("help")),
        ("help", Command("help")),
        ("HELP me", Command("help")),
        ("status", Command("status")),
        ("status orders-cdc", Command("status", task="orders-cdc")),
        ("  status   orders-cdc  ", Command("status", task="orders-cdc")),
        ("check", Command("check")),
        ("check orders-cdc", Command("check", task="orders-cdc")),
        ("tables orders-cdc", Command("tables", task="orders-cdc")),
        (
            "tables orders-cdc Mismatched records",
            Command("tables", task="orders-cdc", state="Mismatched records"),
        ),
        ("tables orders-cdc mismatched", Command("tables", task="orders-cdc", state="Mismatched records")),
        ("tables orders-cdc problems", Command("tables", task="orders-cdc", state=PROBLEMS)),
        ("history orders-cdc", Command("history", task="orders-cdc")),
        ("failures orders-cdc", Command("failures", task="orders-cdc")),
        ("FAILURES orders-cdc sales.orders", Command("failures", task="orders-cdc", table="sales.orders")),
        ("failures orders-cdc dbo.a.b", Command("failures", task="orders-cdc", table="dbo.a.b")),
    ],
)
def test_documented_forms(text: str, expected: Command) -> None:
    """Each documented subcommand parses into its command."""
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("stauts", "unknown command “stauts”"),
        ("tables", "`tables` needs a task name"),
        ("history", "`history` needs a task name"),
        ("tables orders-cdc purple", "unknown validation state “purple”"),
        ("failures", "`failures` needs a task name"),
        ("failures orders-cdc orders", "“orders” is not a schema.table name"),
        ("failures orders-cdc .orders", "“.orders” is not a schema.table name"),
        ("failures orders-cdc sales.orders extra", "`failures` takes a task and at most one schema.table"),
    ],
)
def test_bad_input_shows_help_with_the_problem(text: str, problem: str) -> None:
    """A typo or missing argument gives help plus what was wrong."""
    assert parse_command(text) == Command("help", problem=problem)


def test_ambiguous_state_prefix_is_not_guessed() -> None:
    """'pending' could be three states: no guess."""
    assert match_state("pending") is None
    assert match_state("pending rev") == "Pending revalidation"


@given(st.one_of(st.text(), st.binary(), st.none(), st.integers()))
def test_parser_never_raises(text: object) -> None:
    """Any input at all yields a known command."""
    assert parse_command(text).name in SUBCOMMANDS


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("sales.orders", ("sales", "orders")),
        ("dbo.a.b", ("dbo", "a.b")),
        ("orders", None),
        ("sales.", None),
        (".orders", None),
        ("s." + "x" * 300, None),
    ],
)
def test_split_table_splits_at_the_first_dot(text: str, parts: tuple[str, str] | None) -> None:
    assert split_table(text) == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ready orders-cdc", Command("ready", task="orders-cdc")),
        ("READY orders-cdc WATCH", Command("ready", task="orders-cdc", watch=True)),
        ("ready", Command("help", problem="`ready` needs a task name")),
        ("ready orders-cdc now", Command("help", problem="`ready` takes a task and optionally `watch`")),
        ("ready a watch extra", Command("help", problem="`ready` takes a task and optionally `watch`")),
    ],
)
def test_ready_takes_a_task_and_optionally_watch(text: str, expected: Command) -> None:
    assert parse_command(text) == expected
