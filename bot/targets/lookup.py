"""Where a task's failures live: its target endpoint (DescribeEndpoints), matched to a
``[[databases]]`` entry by identifier or ARN, or - with ``[failures] use_endpoint_secrets`` - the
endpoint's own Secrets Manager secret. One pooled reader per target database, closed when idle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import URL

from bot.core.cutover import TargetRows
from bot.core.failures import FailurePage, TaskFailures
from bot.core.models import Endpoint, Task
from bot.errors import TargetDbError
from bot.settings import DatabaseSettings, FailuresSettings, Settings
from bot.targets.connect import TargetDatabase
from bot.targets.engines import Family, build_url, family_for_engine, family_for_url, parse_url
from bot.targets.reader import FailuresReader

SecretLoader = Callable[[str], Mapping[str, str]]
IDLE_AFTER = 300.0  # seconds a target's pool may sit unused before its connections are closed


class EndpointSource(Protocol):
    """What the lookup needs from DMS (``bot.aws.dms.DmsGateway`` is one)."""

    def describe_endpoint(self, arn: str) -> Endpoint: ...


class FailureSources:
    """Finds each task's target database and reads its failures through a pooled reader."""

    def __init__(
        self,
        databases: Sequence[DatabaseSettings],
        failures: FailuresSettings,
        *,
        secret_loader: SecretLoader,
        idle_after: float = IDLE_AFTER,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.databases = tuple(databases)
        self.failures = failures
        self._load_secret = secret_loader
        self._idle_after = idle_after
        self._monotonic = monotonic
        self._readers: dict[TargetDatabase, tuple[float, FailuresReader]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, secret_loader: SecretLoader) -> FailureSources:
        return cls(settings.databases, settings.failures, secret_loader=secret_loader)

    @property
    def enabled(self) -> bool:
        """False when nothing is configured: callers need not even describe endpoints."""
        return bool(self.databases) or self.failures.use_endpoint_secrets

    def database_for(self, task: Task, endpoints: EndpointSource) -> TargetDatabase:
        """The task's target database; ``TargetDbError`` (not_configured / unsupported) otherwise."""
        if not task.target_endpoint_arn:
            raise TargetDbError(f"task {task.identifier} names no target endpoint", kind="not_configured")
        endpoint = endpoints.describe_endpoint(task.target_endpoint_arn)
        family = family_for_engine(endpoint.engine)
        entry = next((d for d in self.databases if d.endpoint in (endpoint.identifier, endpoint.arn)), None)
        if entry is not None and entry.url is not None:
            url = parse_url(entry.url.reveal())
            url = url.set(password=entry.password.reveal()) if entry.password else url
        elif entry is not None and entry.secret_id:
            url = self._from_secret(entry.secret_id, endpoint, family)
        elif self.failures.use_endpoint_secrets and endpoint.secret_id:
            url = self._from_secret(endpoint.secret_id, endpoint, family)
        else:
            raise TargetDbError(_not_configured(endpoint, self.failures), kind="not_configured")
        defaults = entry or DatabaseSettings(endpoint=endpoint.identifier)
        return TargetDatabase(
            endpoint=endpoint.identifier,
            endpoint_arn=endpoint.arn,
            engine=endpoint.engine,
            url=url,
            control_schema=defaults.control_schema or family_for_url(url).control_schema,
            statement_timeout=defaults.statement_timeout,
            row_limit=defaults.row_limit,
        )

    def configured(self, task: Task, endpoints: EndpointSource) -> bool:
        """Whether a database is known for the task (for a "Failed rows" button); never raises."""
        if not self.enabled or not task.target_endpoint_arn:
            return False
        try:
            endpoint = endpoints.describe_endpoint(task.target_endpoint_arn)
            family_for_engine(endpoint.engine)
        except Exception:  # a button is simply not shown
            return False
        named = any(d.endpoint in (endpoint.identifier, endpoint.arn) for d in self.databases)
        return named or (self.failures.use_endpoint_secrets and bool(endpoint.secret_id))

    def page(
        self,
        task: Task,
        endpoints: EndpointSource,
        *,
        table: tuple[str, str] | None = None,
        failure_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[TargetDatabase, FailurePage]:
        """The task's newest failures (one connection, two SELECTs)."""
        db = self.database_for(task, endpoints)
        page = self.reader(db).page(
            task.resource_id, table=table, failure_type=failure_type, limit=limit, offset=offset
        )
        return db, page

    def summary(self, task: Task, endpoints: EndpointSource) -> tuple[TargetDatabase, TaskFailures]:
        """Every table's counts by type and five newest keys (one SELECT per task)."""
        db = self.database_for(task, endpoints)
        return db, self.reader(db).summary(task.resource_id)

    def gate_rows(
        self,
        task: Task,
        endpoints: EndpointSource,
        *,
        failures_after: datetime | None,
        exceptions_after: datetime | None,
    ) -> TargetRows:
        """The cutover gate's counts from the task's target (failures v1 + v2, apply exceptions)."""
        db = self.database_for(task, endpoints)
        return self.reader(db).gate_rows(
            task.resource_id,
            task.identifier,
            failures_after_time=failures_after,
            exceptions_after_time=exceptions_after,
        )

    def reader(self, db: TargetDatabase) -> FailuresReader:
        """The pooled reader for ``db``, made on first use."""
        with self._lock:
            _, reader = self._readers.get(db) or (0.0, None)
            reader = reader or FailuresReader(db)
            self._readers[db] = (self._monotonic(), reader)
            return reader

    def close_idle(self) -> int:
        """Close the pools of targets unused for ``idle_after`` seconds; returns how many."""
        now = self._monotonic()
        with self._lock:
            idle = [db for db, (used, _) in self._readers.items() if now - used >= self._idle_after]
            closing = [self._readers.pop(db)[1] for db in idle]
        for reader in closing:
            reader.close()
        return len(closing)

    def close(self) -> None:
        with self._lock:
            closing, self._readers = [r for _, r in self._readers.values()], {}
        for reader in closing:
            reader.close()

    def _from_secret(self, secret_id: str, endpoint: Endpoint, family: Family) -> URL:
        """A URL from a secret in DMS's endpoint shape; the endpoint fills what the secret leaves out."""
        secret = self._load_secret(secret_id)
        host = secret.get("host") or endpoint.server
        if not host:
            raise TargetDbError(
                f"secret {secret_id!r} has no host and endpoint {endpoint.identifier} names no server",
                kind="not_configured",
            )
        port = secret.get("port")
        return build_url(
            family,
            username=secret.get("username") or endpoint.username,
            password=secret.get("password"),
            host=host,
            port=int(port) if port and str(port).isdigit() else endpoint.port,
            database=secret.get("dbname") or endpoint.database,
        )


def _not_configured(endpoint: Endpoint, failures: FailuresSettings) -> str:
    hint = f'add a [[databases]] entry with endpoint = "{endpoint.identifier}"'
    if endpoint.secret_id and not failures.use_endpoint_secrets:
        hint += " or set [failures] use_endpoint_secrets = true"
    return f"no database configured for endpoint {endpoint.identifier} ({hint})"
