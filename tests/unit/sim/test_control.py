"""HTTP control endpoints under /_sim/, for driving a simulator in another process."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from tests.support.sim_helpers import task_arn


def _get(sim, path):
    return requests.get(sim.url + path, timeout=5)


def _post(sim, path, payload=None):
    return requests.post(sim.url + path, json=payload, timeout=5)


def test_counters_and_reset(demo, dms):
    """GET /_sim/counters mirrors sim.counters(); POST /_sim/reset zeroes them; control calls are not counted."""
    dms.describe_replication_tasks()
    body = _get(demo, "/_sim/counters").json()
    assert body == {
        "calls": {"DescribeReplicationTasks": 1},
        "throttled": {},
        "errors": {},
        "cloudwatch": {},
        "cloudwatch_errors": {},
    }
    assert _post(demo, "/_sim/reset").json() == {"ok": True}
    assert demo.total_calls() == 0


def test_advance_moves_the_scenario(demo, dms):
    """POST /_sim/advance {"seconds": n} moves scenario time; GET /_sim/now reports it."""
    before = _get(demo, "/_sim/now").json()
    after = _post(demo, "/_sim/advance", {"seconds": 150}).json()
    assert after["now"] >= before["now"] + 150
    assert demo.now() >= 150
    arn = task_arn(dms, "orders-cdc")
    tables = dms.describe_table_statistics(
        ReplicationTaskArn=arn, Filters=[{"Name": "table-name", "Values": ["orders"]}]
    )
    assert tables["TableStatistics"][0]["ValidationState"] == "Mismatched records"
    assert _post(demo, "/_sim/advance", {"seconds": -5}).status_code == 400
    assert _post(demo, "/_sim/advance", {"minutes": 5}).status_code == 400


def test_faults_endpoint_replaces_and_clears_rules(demo, dms):
    """POST /_sim/faults installs rules (JSON list), GET lists them, [] clears; bad rules are 400."""
    rules = [{"kind": "http_503", "op": "DescribeReplicationTasks", "count": 1}]
    assert _post(demo, "/_sim/faults", rules).json()["rules"][0]["remaining"] == 1
    assert _get(demo, "/_sim/faults").json()["rules"][0]["kind"] == "http_503"
    assert demo.faults()[0]["op"] == "DescribeReplicationTasks"
    _post(demo, "/_sim/faults", [])
    assert demo.faults() == []
    bad = _post(demo, "/_sim/faults", [{"kind": "meteor"}])
    assert bad.status_code == 400 and "meteor" in bad.json()["message"]
    assert _post(demo, "/_sim/faults", {"kind": "throttle"}).status_code == 400


def test_reloads_endpoint_lists_reload_requests(demo, dms):
    """GET /_sim/reloads returns every ReloadTables request as JSON."""
    arn = task_arn(dms, "billing-cdc")
    dms.reload_tables(
        ReplicationTaskArn=arn,
        TablesToReload=[{"SchemaName": "billing", "TableName": "ledger"}],
        ReloadOption="validate-only",
    )
    [record] = _get(demo, "/_sim/reloads").json()
    assert record["task_arn"] == arn and record["option"] == "validate-only" and record["accepted"] is True
    assert record["tables"] == [{"SchemaName": "billing", "TableName": "ledger"}]


def test_throttling_endpoint_reshapes_the_bucket(demo, dms):
    """POST /_sim/throttling switches the bucket on and sets capacity/refill."""
    body = _post(demo, "/_sim/throttling", {"enabled": True, "capacity": 1, "refill": 0}).json()
    assert body == {"enabled": True, "capacity": 1.0, "refill": 0.0}
    dms.describe_replication_tasks()
    with pytest.raises(ClientError):
        dms.describe_replication_tasks()
    assert demo.counters()["throttled"] == {"DescribeReplicationTasks": 1}
    assert _post(demo, "/_sim/throttling", {"burst": 1}).status_code == 400


def test_unknown_paths_and_bad_json(demo):
    """Unknown control paths are 404, malformed JSON 400, GET / a 404 hint; all JSON."""
    assert _get(demo, "/_sim/nothing").status_code == 404
    assert _get(demo, "/").status_code == 404
    bad = requests.post(demo.url + "/_sim/advance", data=b"{", timeout=5)
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/json"
    assert demo.total_calls() == 0
