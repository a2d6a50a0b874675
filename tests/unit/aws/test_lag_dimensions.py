"""Discovering a DMS Serverless replication's CDC lag series: matched to the config by its resource
id or identifier in any dimension value, never to a task's series; the listing cached an hour, a
new replication refreshing it once, an unmatched one at most every ``retry`` seconds."""

from __future__ import annotations

import pytest

from bot.aws.lag_dimensions import Dimensions, LagDimensions, dimension_names, match
from bot.core.models import Task

ACCOUNT = "123456789012"
RID = "OZRAVXDSNFCUTG5UZNI6HRDWVY"


def replication(identifier: str = "orders-sls", rid: str = RID) -> Task:
    return Task(identifier, f"arn:aws:dms:eu-west-1:{ACCOUNT}:replication-config:{rid}", "running", "cdc")


TASK_SERIES: Dimensions = (("ReplicationInstanceIdentifier", "ri-1"), ("ReplicationTaskIdentifier", RID))
BY_CONFIG_ID: Dimensions = (("ReplicationConfigId", f"{ACCOUNT}:{RID}"),)


@pytest.mark.parametrize(
    "series",
    [
        BY_CONFIG_ID,  # the one shape seen in the wild: <account>:<resource id>
        (("ReplicationConfigId", RID),),
        (("ReplicationConfigArn", f"arn:aws:dms:eu-west-1:{ACCOUNT}:replication-config:{RID}"),),
        (("ReplicationConfigIdentifier", "orders-sls"),),
        (("Something", "x"), ("ReplicationName", f"serverless/{RID}")),
    ],
)
def test_a_series_naming_the_config_in_any_dimension_value_matches(series: Dimensions) -> None:
    assert match([TASK_SERIES, series], replication()) == series


def test_a_task_series_and_a_partial_value_never_match() -> None:
    assert match([TASK_SERIES], replication()) is None
    assert match([(("ReplicationConfigId", f"{ACCOUNT}:{RID}X"),)], replication()) is None
    assert match([(("ReplicationConfigId", f"{ACCOUNT}:X{RID}"),)], replication()) is None
    assert match([(("ReplicationConfigId", "orders-sls-2"),)], replication()) is None
    assert match([], replication()) is None


def test_the_resource_id_beats_the_identifier_and_the_shortest_set_wins() -> None:
    by_name: Dimensions = (("ReplicationConfigId", "orders-sls"),)
    wider: Dimensions = (("ReplicationConfigId", f"{ACCOUNT}:{RID}"), ("AvailabilityZone", "eu-west-1a"))
    assert match([by_name, wider], replication()) == wider
    assert match([wider, BY_CONFIG_ID, by_name], replication()) == BY_CONFIG_ID


def test_dimension_names_leaves_task_series_out() -> None:
    assert dimension_names([TASK_SERIES, BY_CONFIG_ID, BY_CONFIG_ID]) == ["ReplicationConfigId"]
    assert dimension_names([TASK_SERIES]) == []


class Listing:
    """What ListMetrics returns, counted."""

    def __init__(self, series: list[Dimensions]) -> None:
        self.series, self.calls = series, 0

    def __call__(self) -> list[Dimensions]:
        self.calls += 1
        return list(self.series)


def test_the_listing_is_cached_an_hour() -> None:
    clock = [0.0]
    listing = Listing([TASK_SERIES, BY_CONFIG_ID])
    cache = LagDimensions(listing, monotonic=lambda: clock[0])
    for at in (0.0, 10.0, 3599.0):
        clock[0] = at
        assert cache.lookup([replication()]) == {replication().arn: BY_CONFIG_ID}
    assert listing.calls == 1
    clock[0] = 3600.0
    cache.lookup([replication()])
    assert listing.calls == 2


def test_a_new_replication_refreshes_once_then_waits_retry() -> None:
    clock = [0.0]
    listing = Listing([BY_CONFIG_ID])
    cache = LagDimensions(listing, retry=300, monotonic=lambda: clock[0])
    cache.lookup([replication()])
    other = replication("new-sls", "NEWRESOURCEID0000000000000")
    clock[0] = 10.0
    assert cache.lookup([replication(), other]) == {replication().arn: BY_CONFIG_ID}
    assert listing.calls == 2  # the unknown one cost one refresh
    clock[0] = 100.0
    cache.lookup([replication(), other])
    assert listing.calls == 2  # still unmatched, but within retry: no call
    listing.series.append((("ReplicationConfigId", f"{ACCOUNT}:NEWRESOURCEID0000000000000"),))
    clock[0] = 310.0
    assert other.arn in cache.lookup([replication(), other])
    assert listing.calls == 3


def test_a_failed_listing_caches_nothing() -> None:
    calls = []

    def broken() -> list[Dimensions]:
        calls.append(1)
        raise RuntimeError("ListMetrics refused")

    cache = LagDimensions(broken, monotonic=lambda: 0.0)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.lookup([replication()])
    assert len(calls) == 2
