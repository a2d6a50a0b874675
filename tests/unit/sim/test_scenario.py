"""Scenario files: the format, its errors, the demo scenario and synthetic fleets."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from bot.sim import DEMO_SCENARIO, Scenario, ScenarioError, build_fleet, load_scenario
from bot.sim.durations import parse_duration
from bot.sim.model import Scenario as ModelScenario

ALL_VALIDATION_STATES = {
    "Not enabled",
    "Pending records",
    "Mismatched records",
    "Suspended records",
    "No primary key",
    "Table error",
    "Validated",
    "Error",
    "Pending validation",
    "Preparing table",
    "Pending revalidation",
}


def _states(scenario: Scenario) -> Counter[str]:
    counts: Counter[str] = Counter()
    for task in scenario.tasks:
        for _, _, spec in task.tables.rows():
            counts["Not enabled" if not task.validation else spec.validation_state or "Validated"] += 1
            counts.update(
                change.fields["validation_state"]
                for change in spec.changes
                if "validation_state" in change.fields
            )
    return counts


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (1.5, 1.5),
        ("30s", 30.0),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("250ms", 0.25),
        ("45", 45.0),
    ],
)
def test_durations_accept_numbers_and_units(text, seconds):
    """Durations are seconds as numbers or text with s/m/h/d/ms units."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["soon", "-1", -5, True, "5 parsecs", None, ""])
def test_durations_reject_nonsense(bad):
    """Anything else is a ValueError with a readable message."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_demo_scenario_covers_every_validation_state(demo_scenario):
    """The demo has several tasks, hundreds of tables and all 11 documented ValidationStates."""
    assert DEMO_SCENARIO.name == "demo.toml" and DEMO_SCENARIO.is_file()
    assert len(demo_scenario.tasks) >= 5 and demo_scenario.table_count() >= 300
    assert set(_states(demo_scenario)) >= ALL_VALIDATION_STATES


def test_demo_scenario_has_the_story_tasks(demo_scenario):
    """Healthy, failed, finished-full-load and validation-off tasks are all present."""
    by_id = {task.identifier: task for task in demo_scenario.tasks}
    assert by_id["archive-full-load"].stop_reason == "Stop Reason FULL_LOAD_ONLY_FINISHED"
    assert by_id["crm-cdc"].status == "failed" and by_id["crm-cdc"].last_failure_message
    assert not by_id["marketing-cdc"].validation
    healthy = by_id["inventory-cdc"]
    assert healthy.status == "running"
    assert {spec.validation_state or "Validated" for _, _, spec in healthy.tables.rows()} == {"Validated"}
    orders = by_id["orders-cdc"].tables.find("sales", "orders")
    assert orders is not None
    assert [(c.at, c.fields.get("validation_state")) for c in orders.changes][::2] == [
        (120.0, "Mismatched records"),
        (360.0, "Validated"),
    ]


def test_from_dict_builds_tasks_tables_and_changes():
    """A minimal dict gets sensible defaults, generated names and a stable uppercase ARN."""
    scenario = Scenario.from_dict(
        {
            "simulator": {"region": "us-east-1", "account": "111122223333", "revalidate_after": "2m"},
            "tasks": [
                {
                    "id": "t1",
                    "tables": [{"schema": "s", "name": "a", "changes": [{"at": "1m", "failed_records": 3}]}],
                    "generate": [
                        {"count": 12, "schema": "g", "prefix": "x_", "validation_state": "Pending records"}
                    ],
                }
            ],
        },
        source="inline",
    )
    task = scenario.tasks[0]
    assert scenario.revalidate_after == 120.0 and scenario.region == "us-east-1"
    assert task.arn.startswith("arn:aws:dms:us-east-1:111122223333:task:")
    names = [name for _, name, _ in task.tables.rows()]
    assert names[:3] == ["a", "x_001", "x_002"] and len(names) == 13
    assert task.migration_type == "full-load-and-cdc" and task.status == "running"


def test_task_arn_is_stable_and_derived_from_the_identifier():
    """The same id/region/account always yields the same ARN; another id a different one."""
    one = Scenario.from_dict({"tasks": [{"id": "orders"}]}).tasks[0].arn
    assert one == Scenario.from_dict({"tasks": [{"id": "orders"}]}).tasks[0].arn
    assert one != Scenario.from_dict({"tasks": [{"id": "orders2"}]}).tasks[0].arn
    assert one.rsplit(":", 1)[1].isupper()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tasks": [{"id": "a", "colour": "red"}]}, "tasks[0].colour: unknown key"),
        ({"tasks": [{}]}, "tasks[0].id: is required"),
        ({"tasks": [{"id": "9lives"}]}, "tasks[0].id: expected letters"),
        ({"tasks": [{"id": "a", "migration_type": "both"}]}, "tasks[0].migration_type: expected one of"),
        ({"tasks": [{"id": "a"}, {"id": "a"}]}, "tasks[1].id: duplicate task id"),
        ({"tasks": [{"id": "a", "tables": [{"schema": "s"}]}]}, "tasks[0].tables[0].name: is required"),
        (
            {"tasks": [{"id": "a", "tables": [{"schema": "s", "name": "t", "failed_records": -1}]}]},
            "failed_records",
        ),
        (
            {"tasks": [{"id": "a", "tables": [{"schema": "s", "name": "t", "changes": [{"at": "soon"}]}]}]},
            "tasks[0].tables[0].changes[0].at: expected a duration",
        ),
        (
            {"tasks": [{"id": "a", "tables": [{"schema": "s", "name": "t", "changes": [{"at": 5}]}]}]},
            "a change needs",
        ),
        (
            {"tasks": [{"id": "a", "tables": [{"schema": "s", "name": "t"}, {"schema": "s", "name": "t"}]}]},
            "table s.t is listed twice",
        ),
        (
            {
                "tasks": [
                    {
                        "id": "a",
                        "validation": False,
                        "tables": [{"schema": "s", "name": "t", "validation_state": "Validated"}],
                    }
                ]
            },
            "validation = false",
        ),
        ({"simulator": {"account": "12"}}, "simulator.account: expected 12 digits"),
        ({"simulator": {"revalidate_after": "later"}}, "simulator.revalidate_after"),
        ({"tasks": "nope"}, "tasks: expected a list"),
        ({"extra": 1}, "extra: unknown key"),
    ],
)
def test_bad_scenarios_name_the_source_and_key(data, message):
    """Every scenario error is one line starting with the source and naming the key."""
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict(data, source="bad.toml")
    text = str(excinfo.value)
    assert text.startswith("bad.toml: ") and message in text and "\n" not in text


def test_load_scenario_reads_toml_and_json(tmp_path):
    """Files ending .json are JSON, anything else TOML; both give the same scenario."""
    toml_file = tmp_path / "s.toml"
    toml_file.write_text('[[tasks]]\nid = "a"\n  [[tasks.generate]]\n  count = 3\n  schema = "s"\n')
    json_file = tmp_path / "s.json"
    json_file.write_text(json.dumps({"tasks": [{"id": "a", "generate": [{"count": 3, "schema": "s"}]}]}))
    from_toml, from_json = load_scenario(toml_file), load_scenario(json_file)
    assert from_toml.table_count() == from_json.table_count() == 3
    assert from_toml.source == str(toml_file)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.toml", None, "cannot read"),
        ("broken.toml", "[[tasks]\nid=", "not valid"),
        ("broken.json", "{", "not valid"),
        ("list.json", "[]", "expected an object"),
    ],
)
def test_load_scenario_errors_are_one_line(tmp_path, name, content, message):
    """Unreadable or undecodable files raise ScenarioError naming the file."""
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    assert str(excinfo.value).startswith(str(path)) and message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize(("tasks", "tables"), [(600, 300), (50, 5000), (250, 1200)])
def test_build_fleet_is_cheap_at_benchmark_sizes(tasks, tables):
    """Big fleets build in well under a second because tables are generated lazily."""
    began = time.perf_counter()
    fleet = build_fleet(tasks, tables, problems=0.01, seed=7)
    assert time.perf_counter() - began < 1.0
    assert isinstance(fleet, ModelScenario)
    assert len(fleet.tasks) == tasks and fleet.table_count() == tasks * tables
    assert len({task.arn for task in fleet.tasks}) == tasks


def test_build_fleet_problem_fraction_is_seeded():
    """``problems`` is the share of unhealthy tables, reproducible by seed."""

    def unhealthy(scenario):
        return sum(
            1
            for task in scenario.tasks
            for _, _, spec in task.tables.rows()
            if spec.validation_state != "Validated"
        )

    fleet = build_fleet(10, 100, problems=0.05, seed=3)
    assert unhealthy(fleet) == 50
    assert unhealthy(build_fleet(10, 100)) == 0
    assert [t.tables.find("schema_0", "table_001") for t in fleet.tasks] == [
        t.tables.find("schema_0", "table_001") for t in build_fleet(10, 100, problems=0.05, seed=3).tasks
    ]
    with pytest.raises(ValueError):
        build_fleet(1, 1, problems=2)
