"""The DMS gateway: the few DMS calls the bot makes, at the fewest calls possible.

- DescribeReplicationTasks via the paginator, ``MaxRecords=100`` (the maximum), ``WithoutSettings``;
  a ``replication-task-id``/``-arn`` filter replaces the full listing when the config names tasks.
- DescribeTableStatistics via the paginator, ``MaxRecords=500`` (the maximum), yielded page by page.
- DescribeReplicationInstances via the paginator, ``MaxRecords=100``, cached (see InstanceCache).
- DMS Serverless replications (DescribeReplications, DescribeReplicationTableStatistics) through
  :class:`bot.aws.replications.Replications`, into the same models: a replication is a ``Task`` whose
  ARN is its config's, and ``table_stats``/``describe_task`` follow the ARN to the right call.
- Every HTTP attempt, retries included, takes a token from the (account, region) budget first.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.utils import parse_timestamp

from bot.aws.budget import TokenBucket
from bot.aws.errors import to_bot_error
from bot.aws.instances import INSTANCE_TTL, InstanceCache
from bot.aws.replications import Replications
from bot.core.models import Endpoint, TableStats, Task, TaskKind, kind_of_arn
from bot.core.parse import to_endpoint, to_table_stats, to_task
from bot.core.selectors import Selection
from bot.core.task_settings import TaskSettings, to_task_settings
from bot.errors import DmsError, TaskNotFound

TASKS_PAGE = 100  # DescribeReplicationTasks allows 20..100
INSTANCES_PAGE = 100  # DescribeReplicationInstances allows 20..100
TABLES_PAGE = 500  # DescribeTableStatistics allows 20..500
RELOAD_BATCH = 10  # ReloadTables takes at most 10 tables per request
ENDPOINT_TTL = 600.0  # seconds an endpoint description is reused: once per target per sweep at most
_FILTER_VALUES = 100


@dataclass(frozen=True, slots=True)
class Listing:
    """What one listing found: tasks and replications, in identifier order, and why the
    replications could not be listed (``serverless_error``) when only they failed."""

    tasks: list[Task]
    serverless_error: DmsError | None = None


def utc_timestamp(value: Any) -> Any:
    """botocore timestamp parser for the DMS JSON protocol, which sends epoch seconds.

    botocore's default builds each one through dateutil's ``tzlocal`` (~35 us); a 500-row statistics
    page has 4,000 of them, over half the CPU of a sweep. A UTC datetime is the same instant, ~30x faster.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass  # out of range: botocore's own parser decides what that means
    return parse_timestamp(value)


def use_fast_timestamps(session: Any) -> None:
    """Make DMS clients built from this boto3 session parse timestamps with :func:`utc_timestamp`.

    The parser factory is per botocore session (the AWS CLI sets it the same way); sessions here
    are made per target for DMS, so nothing else sees the change.
    """
    core = getattr(session, "_session", None)
    if core is not None:
        core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=utc_timestamp)


class DmsGateway:
    """DMS for one target. ``client`` is a boto3 DMS client; ``budget`` may be shared.

    ``serverless`` False leaves DMS Serverless replications out (no DescribeReplications call).
    """

    def __init__(
        self,
        client: Any,
        *,
        budget: TokenBucket | None = None,
        instance_ttl: float = INSTANCE_TTL,
        endpoint_ttl: float = ENDPOINT_TTL,
        monotonic: Callable[[], float] = time.monotonic,
        serverless: bool = True,
    ) -> None:
        self.client = client
        self.budget = budget
        self.serverless = serverless
        self.replications = Replications(client)
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._instances = InstanceCache(self._describe_instances, ttl=instance_ttl, monotonic=monotonic)
        self._endpoint_ttl = endpoint_ttl
        self._monotonic = monotonic
        self._endpoints: dict[str, tuple[float, Endpoint]] = {}
        client.meta.events.register("before-send.database-migration-service", self._before_send)

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        """Called by botocore before every HTTP attempt: count it, then wait for a token."""
        operation = event_name.rsplit(".", 1)[-1]
        with self._lock:
            self.calls[operation] += 1
        if self.budget is not None:
            self.budget.acquire()

    def list_tasks(self, selection: Selection) -> list[Task]:
        """Tasks and replications the selection names (all when empty), in identifier order.

        Raises when the tasks cannot be listed; replications that cannot be are left out (a
        sweep learns why from :meth:`list_watched`).
        """
        return self.list_watched(selection).tasks

    def list_watched(self, selection: Selection) -> Listing:
        """Like :meth:`list_tasks`, and says why the replications are missing when only they failed."""
        try:
            tasks = list(self._describe_tasks(selection))
        except (ClientError, BotoCoreError, ValueError) as exc:  # ValueError: botocore could not parse it
            raise to_bot_error(exc) from None
        problem: DmsError | None = None
        if self.serverless and self.replications.wanted(selection):
            try:
                tasks += self.replications.list(selection)
            except DmsError as exc:
                problem = exc
        chosen = {t.arn: t for t in tasks if selection.matches(t)}
        return Listing(sorted(chosen.values(), key=lambda t: (t.identifier, t.arn)), problem)

    def _describe_tasks(self, selection: Selection) -> Iterator[Task]:
        ids = selection.identifiers
        arns = [a for a in selection.arns if kind_of_arn(a) is TaskKind.TASK]
        if selection.everything or selection.has_globs or (ids and selection.arns):
            yield from self._paginate_tasks(None)
            return
        name, values = ("replication-task-id", ids) if ids else ("replication-task-arn", tuple(arns))
        for start in range(0, len(values), _FILTER_VALUES):
            chunk = list(values[start : start + _FILTER_VALUES])
            try:
                yield from self._paginate_tasks([{"Name": name, "Values": chunk}])
            except ClientError as exc:
                # DMS answers a filter that matches nothing with ResourceNotFoundFault.
                if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundFault":
                    raise

    def _paginate_tasks(self, filters: list[dict[str, Any]] | None) -> Iterator[Task]:
        kwargs: dict[str, Any] = {"WithoutSettings": True, "PaginationConfig": {"PageSize": TASKS_PAGE}}
        if filters:
            kwargs["Filters"] = filters
        for page in self.client.get_paginator("describe_replication_tasks").paginate(**kwargs):
            for raw in page.get("ReplicationTasks") or []:
                if isinstance(raw, dict):
                    yield to_task(raw)

    def table_stats(
        self, task_arn: str, *, schema: str | None = None, table: str | None = None
    ) -> Iterator[TableStats]:
        """The task's (or replication's) table statistics, fetched and parsed one page (500 tables)
        at a time.

        ``schema``/``table`` narrow the call with DMS's own ``schema-name``/``table-name`` filters.
        """
        if kind_of_arn(task_arn) is TaskKind.SERVERLESS:
            yield from self.replications.table_stats(task_arn, schema=schema, table=table)
            return
        kwargs: dict[str, Any] = {
            "ReplicationTaskArn": task_arn,
            "PaginationConfig": {"PageSize": TABLES_PAGE},
        }
        filters = [{"Name": "schema-name", "Values": [schema]}] if schema else []
        filters += [{"Name": "table-name", "Values": [table]}] if table else []
        if filters:
            kwargs["Filters"] = filters
        try:
            for page in self.client.get_paginator("describe_table_statistics").paginate(**kwargs):
                for raw in page.get("TableStatistics") or []:
                    if isinstance(raw, dict):
                        yield to_table_stats(raw)
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None

    def describe_task(self, arn: str) -> Task:
        """One task or replication by ARN (a single filtered call)."""
        listing = self.list_watched(Selection((arn,)))
        if not listing.tasks and listing.serverless_error is not None:
            raise listing.serverless_error
        if not listing.tasks:
            what = "replication task" if kind_of_arn(arn) is TaskKind.TASK else "Serverless replication"
            raise TaskNotFound(f"ResourceNotFoundFault: no {what} {arn}")
        return listing.tasks[0]

    def replication_instances(self) -> dict[str, str]:
        """Every replication instance, ARN -> identifier (CloudWatch's ``ReplicationInstanceIdentifier``),
        from the cache while it is younger than ``instance_ttl``: usually no call at all."""
        return self._instances.get()

    def instance_ids(self, arns: Iterable[str | None]) -> dict[str, str]:
        """Identifiers of these instance ARNs; one refresh (ceil(instances/100) calls) when one is new."""
        wanted = [a for a in arns if a]  # Serverless replications have no instance: no call for them
        return self._instances.lookup(wanted) if wanted else {}

    def _describe_instances(self) -> dict[str, str]:
        found: dict[str, str] = {}
        pages = self.client.get_paginator("describe_replication_instances").paginate(
            PaginationConfig={"PageSize": INSTANCES_PAGE}
        )
        try:
            for page in pages:
                for raw in page.get("ReplicationInstances") or []:
                    arn, ident = raw.get("ReplicationInstanceArn"), raw.get("ReplicationInstanceIdentifier")
                    if isinstance(arn, str) and isinstance(ident, str):
                        found[arn] = ident
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None
        return found

    def describe_endpoint(self, arn: str) -> Endpoint:
        """One endpoint by ARN (DescribeEndpoints, filter ``endpoint-arn``), cached for ``endpoint_ttl``.

        Tasks sharing a target share the answer, so a sweep asks at most once per target endpoint.
        """
        with self._lock:
            hit = self._endpoints.get(arn)
        if hit and self._monotonic() - hit[0] <= self._endpoint_ttl:
            return hit[1]
        try:
            response = self.client.describe_endpoints(
                Filters=[{"Name": "endpoint-arn", "Values": [arn]}], MaxRecords=20
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundFault":
                raise DmsError(f"no DMS endpoint {arn}", code="ResourceNotFoundFault") from None
            raise to_bot_error(exc) from None
        except (BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None
        found = [to_endpoint(raw) for raw in response.get("Endpoints") or [] if isinstance(raw, dict)]
        endpoint = next((e for e in found if e.arn == arn), None)
        if endpoint is None:
            raise DmsError(f"no DMS endpoint {arn}", code="ResourceNotFoundFault")
        with self._lock:
            self._endpoints[arn] = (self._monotonic(), endpoint)
        return endpoint

    def reload_tables(
        self, task_arn: str, tables: Sequence[tuple[str, str]], *, option: str = "validate-only"
    ) -> int:
        """ReloadTables in batches of at most 10; returns the number of requests sent.

        The ARN tells the call: a DMS Serverless replication config's gets ReloadReplicationTables
        (``ReplicationConfigArn``, the same ``TablesToReload`` and ``ReloadOption``).
        """
        sent = 0
        for start in range(0, len(tables), RELOAD_BATCH):
            batch = [{"SchemaName": s, "TableName": t} for s, t in tables[start : start + RELOAD_BATCH]]
            try:
                self._reload(task_arn, batch, option)
            except (ClientError, BotoCoreError, ValueError) as exc:
                raise to_bot_error(exc) from None
            sent += 1
        return sent

    def task_settings(self, arn: str) -> TaskSettings:
        """One task's ReplicationTaskSettings (DescribeReplicationTasks, ``replication-task-arn``
        filter, ``WithoutSettings=False``), or a replication's config settings: one call, for the
        cutover gate."""
        if kind_of_arn(arn) is TaskKind.SERVERLESS:
            return self.replications.settings(arn)
        try:
            response = self.client.describe_replication_tasks(
                Filters=[{"Name": "replication-task-arn", "Values": [arn]}],
                MaxRecords=20,
                WithoutSettings=False,
            )
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None
        found = [t for t in response.get("ReplicationTasks") or [] if isinstance(t, dict)]
        raw = next((t for t in found if t.get("ReplicationTaskArn") == arn), None)
        if raw is None:
            raise TaskNotFound(f"ResourceNotFoundFault: no replication task {arn}")
        return to_task_settings(raw.get("ReplicationTaskSettings"))

    def _reload(self, arn: str, batch: list[dict[str, str]], option: str) -> None:
        if kind_of_arn(arn) is TaskKind.SERVERLESS:
            self.client.reload_replication_tables(
                ReplicationConfigArn=arn, TablesToReload=batch, ReloadOption=option
            )
        else:
            self.client.reload_tables(ReplicationTaskArn=arn, TablesToReload=batch, ReloadOption=option)
