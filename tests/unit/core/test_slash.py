"""The /dms parser: every documented form, and no input can make it raise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.slash import PROBLEMS, SUBCOMMANDS, Command, match_state, parse_command


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
