"""DMS Serverless replications, read into the same models as tasks.

- DescribeReplications, ``MaxRecords=100``: status, type, endpoints, failure messages and the
  config's identifier and ARN, so DescribeReplicationConfigs is not needed to watch one.
- DescribeReplicationTableStatistics, ``MaxRecords=500``: the same ``TableStatistics`` members as a
  task's, yielded page by page.

botocore has no paginator for either (``can_paginate`` is False), so :func:`marker_pages` follows
``Marker`` itself. The client is the gateway's, so every call is counted and budgeted like a task's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.errors import to_bot_error
from bot.core.models import TableStats, Task, TaskKind, kind_of_arn
from bot.core.parse import to_replication, to_table_stats
from bot.core.selectors import Selection
from bot.core.task_settings import TaskSettings, to_task_settings
from bot.errors import DmsError, TaskNotFound

REPLICATIONS_PAGE = 100  # MaxRecords for DescribeReplications (the task listing's maximum too)
REPLICATION_TABLES_PAGE = 500  # MaxRecords for DescribeReplicationTableStatistics
FILTER_VALUES = 100


def marker_pages(call: Callable[..., Any], key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """The ``key`` items of every page, following ``Marker`` until DMS sends none.

    A Marker DMS already sent ends in an error rather than an endless loop.
    """
    seen: set[str] = set()
    marker: str | None = None
    while True:
        page = call(**kwargs, Marker=marker) if marker else call(**kwargs)
        yield from (item for item in page.get(key) or [] if isinstance(item, dict))
        marker = page.get("Marker") or None
        if not isinstance(marker, str):
            return
        if marker in seen:
            raise DmsError(f"DMS sent the same Marker twice while listing {key}", code="MalformedResponse")
        seen.add(marker)


def _not_found(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == "ResourceNotFoundFault")


class Replications:
    """The Serverless half of :class:`bot.aws.dms.DmsGateway`, on its (hooked) boto3 client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def wanted(self, selection: Selection) -> bool:
        """Whether the selection could name a replication (an ARN list of tasks only cannot)."""
        ids, arns = selection.identifiers, selection.arns
        if selection.everything or selection.has_globs or ids:
            return True
        return any(kind_of_arn(a) is TaskKind.SERVERLESS for a in arns)

    def list(self, selection: Selection) -> list[Task]:
        """The replications the selection may name: every one, or only those its ids/ARNs filter."""
        try:
            return list(self._describe(selection))
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None

    def _describe(self, selection: Selection) -> Iterator[Task]:
        ids = selection.identifiers
        arns = [a for a in selection.arns if kind_of_arn(a) is TaskKind.SERVERLESS]
        if selection.everything or selection.has_globs or (ids and selection.arns):
            yield from self._pages(None)
            return
        name, values = ("replication-config-id", ids) if ids else ("replication-config-arn", arns)
        for start in range(0, len(values), FILTER_VALUES):
            yield from self._pages([{"Name": name, "Values": list(values[start : start + FILTER_VALUES])}])

    def _pages(self, filters: Sequence[dict[str, Any]] | None) -> Iterator[Task]:
        kwargs: dict[str, Any] = {"MaxRecords": REPLICATIONS_PAGE}
        if filters:
            kwargs["Filters"] = list(filters)
        try:
            for raw in marker_pages(self.client.describe_replications, "Replications", **kwargs):
                yield to_replication(raw)
        except ClientError as exc:
            if not _not_found(exc):  # DMS's answer to "none at all", or a filter matching none
                raise

    def settings(self, config_arn: str) -> TaskSettings:
        """The replication's settings: its config's ``ReplicationSettings`` (the same JSON as a
        task's ReplicationTaskSettings), one DescribeReplicationConfigs call filtered by ARN."""
        try:
            response = self.client.describe_replication_configs(
                Filters=[{"Name": "replication-config-arn", "Values": [config_arn]}], MaxRecords=20
            )
        except ClientError as exc:
            if _not_found(exc):
                raise TaskNotFound(f"ResourceNotFoundFault: no replication config {config_arn}") from None
            raise to_bot_error(exc) from None
        except (BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None
        found = response.get("ReplicationConfigs") or []
        raw = next(
            (c for c in found if isinstance(c, dict) and c.get("ReplicationConfigArn") == config_arn), None
        )
        if raw is None:
            raise TaskNotFound(f"ResourceNotFoundFault: no replication config {config_arn}")
        return to_task_settings(raw.get("ReplicationSettings"))

    def table_stats(
        self, config_arn: str, *, schema: str | None = None, table: str | None = None
    ) -> Iterator[TableStats]:
        """The replication's table statistics, one page (500 tables) at a time.

        ``schema-name``/``table-name`` are the task call's filter names; DMS does not document the
        Serverless call's (UNVERIFIED), so a wrong guess costs only a narrower question.
        """
        kwargs: dict[str, Any] = {"ReplicationConfigArn": config_arn, "MaxRecords": REPLICATION_TABLES_PAGE}
        filters = [{"Name": "schema-name", "Values": [schema]}] if schema else []
        filters += [{"Name": "table-name", "Values": [table]}] if table else []
        if filters:
            kwargs["Filters"] = filters
        call = self.client.describe_replication_table_statistics
        try:
            for raw in marker_pages(call, "ReplicationTableStatistics", **kwargs):
                yield to_table_stats(raw)
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise to_bot_error(exc) from None
