"""The instance's PostgreSQL storage, keeping its connections open in every process that uses it.

dagster-postgres opens a new connection for every query (SQLAlchemy's NullPool) except in the webserver, which
asks for a pool (`optimize_for_webserver`). A run issues about 90 queries, a range run thousands, at 2-6 ms a
connect here: the connects cost more than the queries. This storage holds a pool in the daemon, the run
workers and the CLI as the webserver does (`dagster.yaml` names it; `storage: postgres` otherwise the same), with
no statement timeout, since a run's batched event writes may be long.
"""

from __future__ import annotations

from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

# One idle connection per storage part (runs, events, schedules) a process; more only while threads need them.
POOL_SIZE, POOL_OVERFLOW, POOL_RECYCLE_SECONDS = 1, 16, 3600


class PooledPostgresStorage(DagsterPostgresStorage):
    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: Any) -> PooledPostgresStorage:  # ty: ignore[invalid-method-override]
        storage = cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                      should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                      token_provider=get_token_provider_from_config(config_value))
        for part in (storage.run_storage, storage.event_log_storage, storage.schedule_storage):
            keep_connections(part)
        return storage


def keep_connections(part: Any) -> None:
    """Swap a dagster-postgres storage part's per-query engine for a pooled one (the webserver's settings)."""
    unpooled = part._engine
    part._engine = create_pg_engine(part.postgres_url, part._token_provider, isolation_level="AUTOCOMMIT",
                                    pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                                    pool_recycle=POOL_RECYCLE_SECONDS, pool_pre_ping=True)
    unpooled.dispose()
