"""``[[replications]]`` in scenario files: what they build, and one clear error per bad key."""

from __future__ import annotations

import pytest

from bot.sim import Scenario, ScenarioError, build_fleet, load_scenario

TOML = """
[simulator]
account = "210987654321"
region = "us-east-2"

[[tasks]]
id = "orders-cdc"

[[replications]]
id = "orders-sl"
resource_id = "OZRAVXDSNFCUTG5UZNI6HRDWVY"
replication_type = "cdc"
status = "stopped"
stop_reason = "Stop Reason FATAL_ERROR"
failure_messages = ["first", "second"]
capacity_units = 8
max_capacity = 32
new_provisioning_reason = "Load grew"
cdc_latency_source = "30s"

  [[replications.tables]]
  schema = "sales"
  name = "orders"
  validation_state = "Mismatched records"
  failed_records = 3

  [[replications.generate]]
  count = 4
  schema = "hist"

  [[replications.changes]]
  at = "10m"
  provision_state = "deprovisioned"
"""


def test_a_toml_replication_builds_its_spec(tmp_path):
    """Every key lands where it should; the ARN is replication-config:<resource_id>."""
    path = tmp_path / "s.toml"
    path.write_text(TOML)
    scenario = load_scenario(path)
    [spec] = scenario.replications
    assert spec.arn == "arn:aws:dms:us-east-2:210987654321:replication-config:OZRAVXDSNFCUTG5UZNI6HRDWVY"
    assert spec.resource_id == "OZRAVXDSNFCUTG5UZNI6HRDWVY" and spec.identifier == "orders-sl"
    base = spec.base
    assert (base.migration_type, base.status, base.stop_reason) == (
        "cdc",
        "stopped",
        "Stop Reason FATAL_ERROR",
    )
    assert spec.failure_messages == ("first", "second") and spec.provision_state == "provisioned"
    assert (spec.capacity_units, spec.min_capacity, spec.max_capacity) == (8, 1, 32)
    assert spec.new_provisioning_reason == "Load grew" and base.cdc_latency_source == 30
    assert len(base.tables) == 5 and scenario.table_count() == 5
    assert [c.fields for c in base.changes] == [{"provision_state": "deprovisioned"}]


def test_defaults_follow_the_status():
    """A derived ARN; never-provisioned states start with ProvisionState "" and no start date;
    provisioning_capacity is "provisioning"; running is "provisioned"."""
    scenario = Scenario.from_dict(
        {
            "replications": [
                {"id": "a"},
                {"id": "b", "status": "created"},
                {"id": "c", "status": "provisioning_capacity"},
                {"id": "d", "status": "some future state"},
                {"id": "e", "status": "deprovisioned"},
            ]
        }
    )
    a, b, c, d, e = scenario.replications
    assert (e.base.status, e.provision_state) == ("deprovisioned", "deprovisioned")
    assert a.arn.startswith("arn:aws:dms:eu-west-1:123456789012:replication-config:")
    assert (a.base.status, a.base.migration_type, a.provision_state) == (
        "running",
        "full-load-and-cdc",
        "provisioned",
    )
    assert (b.provision_state, b.base.started_ago) == ("", None)
    assert c.provision_state == "provisioning" and d.provision_state == "provisioned"


@pytest.mark.parametrize(
    ("replication", "message"),
    [
        ({}, "replications[0].id: is required"),
        ({"id": "9lives"}, "replications[0].id: expected letters"),
        ({"id": "a", "status": "Running"}, "replications[0].status: expected a lower-case status"),
        ({"id": "a", "replication_type": "cdc-only"}, "replications[0].replication_type: expected one of"),
        ({"id": "a", "provision_state": "gone"}, "replications[0].provision_state: expected one of"),
        ({"id": "a", "failure_messages": "boom"}, "replications[0].failure_messages: expected a list"),
        ({"id": "a", "resource_id": "abc"}, "replications[0].resource_id: expected upper-case"),
        ({"id": "a", "wat": 1}, "replications[0].wat: unknown key"),
        ({"id": "a", "changes": [{"at": "1m"}]}, "replications[0].changes[0].at: a change needs"),
        ({"id": "a", "changes": [{"at": "1m", "failure_messages": [1]}]}, "changes[0].failure_messages"),
        ({"id": "a", "tables": [{"schema": "s", "name": "t"}] * 2}, "table s.t is listed twice"),
        ({"id": "orders-cdc"}, "replications[0].id: 'orders-cdc' is already a task id"),
    ],
)
def test_bad_replications_name_the_key(replication, message):
    """One ScenarioError naming the key."""
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict({"tasks": [{"id": "orders-cdc"}], "replications": [replication]}, "x.toml")
    assert message in str(excinfo.value) and str(excinfo.value).startswith("x.toml: ")


def test_duplicate_replication_ids_are_refused():
    with pytest.raises(ScenarioError, match=r"replications\[1\]\.id: 'a' is already a replication id"):
        Scenario.from_dict({"replications": [{"id": "a"}, {"id": "a"}]})


def test_build_fleet_adds_serverless_replications():
    """build_fleet(replications=N): N running replications with the same table count, problems sampled
    across tasks and replications alike, reproducibly for a seed."""
    fleet = build_fleet(3, 10, replications=4, problems=0.5, seed=1)
    assert [r.identifier for r in fleet.replications] == [
        "fleet-sl-0001",
        "fleet-sl-0002",
        "fleet-sl-0003",
        "fleet-sl-0004",
    ]
    assert all(len(r.base.tables) == 10 and r.base.status == "running" for r in fleet.replications)
    assert fleet.table_count() == 70
    unhealthy = sum(
        spec.validation_state != "Validated"
        for r in fleet.replications
        for _, _, spec in r.base.tables.rows()
    )
    assert unhealthy > 0

    def states(scenario):
        return [spec.validation_state for t in scenario.tasks for _, _, spec in t.tables.rows()]

    assert states(build_fleet(3, 10, problems=0.5, seed=1)) == states(
        build_fleet(3, 10, problems=0.5, seed=1)
    )
    assert build_fleet(3, 10).replications == ()
