"""Two ``serve --http`` replicas on one PostgreSQL database share one DMS API budget: the standby
answers ``/dms status`` about new tasks (each costs DMS calls) while the leader sweeps a fleet bigger
than the burst, against the simulator's real token bucket sized to the share itself. Summed over
both processes the calls stay within ``burst + rate x window`` and DMS throttles nothing; with a
bucket per process the same run is throttled (about 70 times, measured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.budget_replicas import BURST, BudgetRun, run_replicas
from tests.support.databases import POSTGRES_ENV, scratch_database

pytestmark = pytest.mark.slow
TASKS, TABLES, TIME_SCALE = 200, 300, 10.0
# Two listing pages, a statistics page per task, the instances, the (empty) DMS Serverless listing.
SWEEP_FLOOR = 2 + TASKS + 1 + 1


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BudgetRun]:
    with scratch_database(POSTGRES_ENV) as url:
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
        tmp = Path(tmp_path_factory.mktemp("replicas"))
        yield run_replicas(2, tasks=TASKS, tables=TABLES, time_scale=TIME_SCALE, database=database, tmp=tmp)


def test_the_summed_dms_calls_of_both_replicas_stay_within_the_share(two_replicas: BudgetRun) -> None:
    run = two_replicas
    assert run.throttled == 0
    assert run.worst_excess() <= BURST + 1  # +1: the samples' 20 ms granularity
    assert run.summed_rate() <= 2.0 * 1.1  # the default 2/s share, real-time equivalent
    assert run.asked >= 10 and run.question_calls >= run.asked  # the standby spent from it too


def test_the_standby_answers_while_only_the_leader_sweeps(two_replicas: BudgetRun) -> None:
    run = two_replicas
    assert run.answered == run.asked
    assert run.sweep_calls == SWEEP_FLOOR  # the leader's sweep: as with one replica


def test_every_replica_answers_dms_status(two_replicas: BudgetRun) -> None:
    assert two_replicas.status_everywhere == (True, True)
