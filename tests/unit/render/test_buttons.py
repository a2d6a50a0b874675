"""Button action ids and values: what the bot encodes it accepts back; anything forged is a ValueError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.buttons import (
    ALL_ACTIONS,
    SNOOZE_ACTION_PATTERN,
    SNOOZE_ACTIONS,
    VALUE_MAX,
    Action,
    decode_value,
    encode_value,
    plain_table,
)
from tests.support.render.sample import arn

VALID: list[dict[str, Any]] = [
    {"scope": "all"},
    {"scope": "tasks", "tasks": [arn(1), arn(2)]},
    {"scope": "task", "task": arn(1)},
    {"task": arn(1), "state": "Mismatched records", "page": 3},
    {"task": arn(1), "page": 0},
    {"command": "status orders-cdc"},
    {"task": arn(1), "page": 2, "table": "sales.orders"},
    {"task": arn(1), "page": 0, "table": "dbo.Größe$2"},
    {"scope": "task", "task": "arn:aws-us-gov:dms:us-gov-west-1:123456789012:task:ABC", "hours": 4},
]


def test_action_ids_are_distinct_and_prefixed() -> None:
    """Every action_id is unique and namespaced, so listeners can match them exactly."""
    assert len(set(ALL_ACTIONS)) == len(ALL_ACTIONS)
    assert all(a.startswith("dms_") for a in ALL_ACTIONS)


@pytest.mark.parametrize("value", VALID)
def test_round_trip(value: dict[str, Any]) -> None:
    """decode_value(encode_value(v)) gives v back, as compact JSON."""
    raw = encode_value(value)
    assert " " not in raw.replace("Mismatched records", "").replace("status orders-cdc", "")
    assert decode_value(raw) == value


def test_encode_refuses_values_over_slacks_limit() -> None:
    """A value over 2,000 characters raises rather than being cut."""
    with pytest.raises(ValueError, match="2000"):
        encode_value({"scope": "tasks", "tasks": [arn(i) for i in range(60)]})


@pytest.mark.parametrize(
    "value",
    [
        {"scope": "some"},
        {"scope": "tasks"},
        {"scope": "task"},
        {"task": "arn:aws:dms:eu-west-1:123456789012:endpoint:X"},
        {"page": -1},
        {"page": True},
        {"hours": 2},
        {"state": "x" * 65},
        {"surprise": 1},
        {"table": "orders"},
        {"table": "<!channel>.x"},
    ],
)
def test_encode_refuses_what_decode_would_reject(value: dict[str, Any]) -> None:
    """The bot never makes a button it would not accept back (unknown keys included)."""
    with pytest.raises(ValueError):
        encode_value(value)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        42,
        b'{"scope":"all"}',
        "",
        "not json",
        "[1, 2]",
        '"all"',
        '{"scope": 1}',
        '{"scope": "everything"}',
        '{"scope": "tasks", "tasks": []}',
        '{"scope": "tasks", "tasks": "arn:aws:dms:eu-west-1:123456789012:task:A"}',
        '{"task": "arn:aws:dms:eu-west-1:123456789012:task:A\\n"}',
        '{"task": "arn:aws:dms:eu-west-1:123456789012:task:A/../B"}',
        '{"page": 1.0}',
        '{"page": 10001}',
        '{"page": false}',
        '{"page": NaN}',
        '{"hours": "4"}',
        '{"command": ' + json.dumps("x" * 201) + "}",
        '{"scope": "all", "pad": "' + "x" * VALUE_MAX + '"}',
        "[" * 999 + "]" * 999,
        '{"a":' * 333 + "1" + "}" * 333,
        "{}",
        "[" * 1999,
        '{"table": "orders"}',
        '{"table": ".orders"}',
        '{"table": "sales."}',
        '{"table": "sales.<!channel>"}',
        '{"table": "sales.a b"}',
        '{"table": "sales.x\\n"}',
        '{"table": ["sales", "orders"]}',
        '{"table": "s.' + "x" * 199 + '"}',
    ],
)
def test_decode_rejects_garbage(raw: object) -> None:
    """Malformed, oversized, mistyped or out-of-range values raise ValueError."""
    with pytest.raises(ValueError):
        decode_value(raw)


def test_decode_drops_unknown_keys() -> None:
    """Keys the bot does not know are ignored, so buttons from another bot version still work."""
    assert decode_value('{"scope": "all", "v": 2, "__proto__": {}}') == {"scope": "all"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


known_keys = st.fixed_dictionaries(
    {},
    optional={
        "scope": json_values | st.sampled_from(["all", "tasks", "task"]),
        "tasks": json_values | st.lists(st.sampled_from([arn(1), arn(2), "arn:x"]), max_size=3),
        "task": json_values | st.sampled_from([arn(1), "arn:aws:dms:x:1:task:Y"]),
        "page": json_values,
        "hours": json_values | st.sampled_from([1, 4, 24, 0]),
        "state": json_values,
        "command": json_values,
        "table": json_values | st.sampled_from(["sales.orders", "orders", "a.<!here>"]),
    },
)


@given(st.one_of(st.text(max_size=300), st.binary(max_size=50), st.integers(), st.none()))
def test_decode_arbitrary_input_raises_only_value_error(raw: object) -> None:
    """Any input either decodes to a dict or raises ValueError — never another exception."""
    try:
        result = decode_value(raw)
    except ValueError:
        return
    assert isinstance(result, dict)


@given(st.one_of(json_values, known_keys))
def test_decode_arbitrary_json_raises_only_value_error(value: object) -> None:
    """Arbitrary JSON (and near-miss values) either validates or raises ValueError."""
    try:
        result = decode_value(json.dumps(value))
    except ValueError:
        return
    assert set(result) <= {"scope", "tasks", "task", "page", "hours", "state", "command", "table"}
    assert encode_value(result)  # what decode accepts, encode can make again


@given(
    st.fixed_dictionaries(
        {"task": st.sampled_from([arn(1), arn("ABC9")])},
        optional={
            "state": st.text(max_size=64),
            "page": st.integers(min_value=0, max_value=10_000),
            "command": st.text(max_size=200),
            "hours": st.sampled_from([1, 4, 24]),
        },
    )
)
def test_encoded_values_round_trip(value: dict[str, Any]) -> None:
    """Whatever encode_value produces, decode_value accepts unchanged."""
    try:
        raw = encode_value(value)
    except ValueError:
        return  # over 2,000 characters once JSON-escaped
    assert len(raw) <= VALUE_MAX
    assert decode_value(raw) == value


def test_snooze_action_ids_are_registered() -> None:
    """The three snooze ids are distinct, listed in ALL_ACTIONS and matched by the pattern."""
    assert SNOOZE_ACTIONS == ("dms_snooze_1", "dms_snooze_4", "dms_snooze_24")
    assert set(SNOOZE_ACTIONS) <= set(ALL_ACTIONS)
    assert all(SNOOZE_ACTION_PATTERN.match(a) for a in SNOOZE_ACTIONS)
    assert not SNOOZE_ACTION_PATTERN.match("dms_snooze_2")


def test_failed_rows_actions_are_their_own() -> None:
    """The Failed rows button and the failures pages have ids of their own, listed in ALL_ACTIONS."""
    assert {Action.FAILED_ROWS, Action.FAILURES_PAGE} <= set(ALL_ACTIONS)
    assert len({Action.FAILED_ROWS, Action.FAILURES_PAGE, Action.TABLES_PAGE, Action.SHOW_TABLES}) == 4


@pytest.mark.parametrize(
    ("name", "echoed"),
    [
        ("sales.orders", "sales.orders"),
        ("dbo.Order$Lines#2", "dbo.Order$Lines#2"),
        ("orders", None),
        ("sales.<!channel>", None),
        ("sales.a&b", None),
        (None, None),
    ],
)
def test_only_plain_table_filters_are_echoed_into_buttons(name: str | None, echoed: str | None) -> None:
    assert plain_table(name) == echoed
