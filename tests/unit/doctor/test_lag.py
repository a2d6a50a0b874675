"""doctor's serverless CDC lag line: the dimension ListMetrics showed (or none), how many listed
replications it names, a warning for the others, and what to grant when ListMetrics is refused.
DMS and CloudWatch are the simulator over boto3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.aws.cloudwatch import CloudWatchGateway
from bot.doctor import Status
from bot.doctor.lag import GRANT_LIST, check_watched
from bot.sim import FaultRule, Scenario, SimServer
from tests.support.sim_helpers import make_cloudwatch_client
from tests.support.simtools import checker_for

Start = Callable[..., SimServer]
NAME = "aws sim serverless CDC lag"


def fleet(**replication: object) -> Scenario:
    return Scenario.from_dict(
        {
            "tasks": [{"id": "orders-cdc", "migration_type": "cdc", "cdc_latency_source": 1}],
            "replications": [{"id": "orders-sl", "replication_type": "cdc", **replication}],
        }
    )


def test_the_discovered_dimension_is_named(start_sim: Start) -> None:
    sim = start_sim(fleet(cdc_latency_source=3))
    check = check_watched(checker_for(sim.url).watched[0])
    assert (check.name, check.status) == (NAME, Status.OK), check
    assert "found the dimension ReplicationConfigId; 1 of 1 running CDC" in check.detail


def test_no_serverless_series_says_none(start_sim: Start) -> None:
    sim = start_sim(fleet(status="stopped", stop_reason="Stop Reason NORMAL"))
    check = check_watched(checker_for(sim.url).watched[0])
    assert check.status is Status.OK
    assert "found the dimension none; 0 of 0 running CDC" in check.detail  # stopped: no lag asked for


def test_list_metrics_refused_fails_with_what_to_grant(start_sim: Start) -> None:
    sim = start_sim(fleet(cdc_latency_source=3))
    sim.set_faults([FaultRule("access_denied", op="ListMetrics")])
    check = check_watched(checker_for(sim.url).watched[0])
    assert check.status is Status.FAIL and check.fix == GRANT_LIST
    assert check.detail.startswith("CloudWatch ListMetrics: AccessDenied")


def test_a_running_replication_without_a_series_is_a_warning(start_sim: Start) -> None:
    """DMS lists the replication, CloudWatch (another simulator, with none) has no series for it."""
    dms = start_sim(fleet(cdc_latency_source=3))
    elsewhere = start_sim(Scenario.from_dict({"tasks": [{"id": "other-cdc", "cdc_latency_source": 1}]}))
    listed = checker_for(dms.url).watched[0]
    watched = replace(listed, cloudwatch=CloudWatchGateway(make_cloudwatch_client(elsewhere.url)))
    check = check_watched(watched)
    assert check.status is Status.WARN
    assert "found the dimension none; 0 of 1 running CDC" in check.detail
    assert "the others get no CDC lag finding" in check.detail
