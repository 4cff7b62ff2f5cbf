"""The instance's PostgreSQL storage, keeping its connections open in every process that uses it, and writing a
run's planned events in a few multi-row INSERTs.

dagster-postgres opens a new connection for every query (SQLAlchemy's NullPool) except in the webserver, which
asks for a pool (`optimize_for_webserver`). A run issues about 90 queries, a range run thousands, at 2-6 ms a
connect here: the connects cost more than the queries. This storage holds a pool in the daemon, the run
workers and the CLI as the webserver does (`dagster.yaml` names it; `storage: postgres` otherwise the same), with
no statement timeout, since a run's batched event writes may be long.

When a range run is created, Dagster plans one ASSET_MATERIALIZATION_PLANNED event per asset and partition (the
UI's "in progress" and "failed" partitions come from them) and one ASSET_CHECK_EVALUATION_PLANNED event per check.
It hands them to `store_event_batch` in batches (`DAGSTER_EVENT_BATCH_SIZE`), but dagster-postgres 0.29 batches
only materializations and observations and stores these one at a time: three to four round trips each, 22,000
events (about three minutes) before a ten-year backfill of the market graph starts (dagster issue #33831). Here
they are stored in one INSERT ... RETURNING per batch, followed by the index writes Dagster's own `store_event`
makes for them (the asset row's last run and timestamp, the planned check rows), so the event log and the
partition and check states the UI reads from it are the same as with the stock storage; only each planned check
row carries a lighter copy of its event (see `_store_asset_check_evaluation_planned`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any, cast

from dagster import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._record import copy
from dagster._serdes import ConfigurableClassData, serialize_value
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

if TYPE_CHECKING:
    from dagster._core.events import AssetCheckEvaluationPlanned

# One idle connection per storage part (runs, events, schedules) a process; more only while threads need them.
POOL_SIZE, POOL_OVERFLOW, POOL_RECYCLE_SECONDS = 1, 16, 3600

# what a batch from Dagster may hold that is stored here: a run's planned events, a range's materializations
BATCHED = {DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
           DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_OBSERVATION}
ASSET_EVENTS = {DagsterEventType.ASSET_MATERIALIZATION_PLANNED, DagsterEventType.ASSET_MATERIALIZATION,
                DagsterEventType.ASSET_OBSERVATION}


def _batch_kind(event: EventLogEntry) -> bool:
    return event.get_dagster_event().event_type in BATCHED


class PooledPostgresStorage(DagsterPostgresStorage):
    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: Any) -> PooledPostgresStorage:  # ty: ignore[invalid-method-override]
        url, token_provider = pg_url_from_config(config_value), get_token_provider_from_config(config_value)
        autocreate = config_value.get("should_autocreate_tables", True)
        storage = cls(inst_data=inst_data, postgres_url=url, should_autocreate_tables=autocreate,
                      token_provider=token_provider)
        storage._event_log_storage.dispose()
        storage._event_log_storage = PlannedBatchEventLogStorage(url, autocreate, token_provider=token_provider)
        for part in (storage.run_storage, storage.event_log_storage, storage.schedule_storage):
            keep_connections(part)
        return storage


class PlannedBatchEventLogStorage(PostgresEventLogStorage):
    """dagster-postgres' event log, with a run's planned events, and its batches of materializations, stored a
    batch at a time in one executemany (module docstring)."""

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        # keep the batch's order: runs of events batched here, anything else as dagster-postgres stores it
        for batched, run in groupby(events, key=_batch_kind):
            if batched:
                self._store_batch(list(run))
            else:
                super().store_event_batch(list(run))

    def _store_batch(self, events: list[EventLogEntry]) -> None:
        """The events in one executemany, then the index writes dagster-postgres makes for them: each asset event's
        tags, the asset row from the last event of each key, a check's planned rows."""
        if len(events) == 1:
            self.store_event(events[0])
            return
        # executemany (SQLAlchemy's insertmanyvalues: multi-row INSERTs, compiled once) rather than Dagster's
        # `insert().values([...])`, whose SQL compiler visits every bound value: seconds for a thousand events
        with self._connect() as conn:
            result = conn.execute(SqlEventLogStorageTable.insert().returning(
                SqlEventLogStorageTable.c.id, sort_by_parameter_order=True), [self._event_to_row(e) for e in events])
            event_ids = [int(row[0]) for row in result.fetchall()]
        stored = list(zip(events, event_ids, strict=True))
        assets = [(e, i) for e, i in stored if e.get_dagster_event().event_type in ASSET_EVENTS]
        if assets:
            with self.index_transaction() as conn:
                self._store_asset_event_tags(conn, *zip(*assets, strict=True))  # data version tags, for instance
                latest: dict[str, tuple[EventLogEntry, int]] = {}
                for event, event_id in assets:  # one asset row per key: the last event's values win
                    latest[event.get_dagster_event().asset_key.to_string()] = (event, event_id)
                for event, event_id in latest.values():
                    self._store_asset_event(conn, event, event_id)
        for event, event_id in stored:
            if event.get_dagster_event().event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
                self.store_asset_check_event(event, event_id)

    def _store_asset_check_evaluation_planned(self, event: EventLogEntry, event_id: int | None) -> None:
        """Dagster's planned rows of a check, one per partition of the run in one INSERT, as dagster-postgres
        writes them, but with a lighter event in each row.

        Each stock row carries the whole planned event, whose partition subset serializes the trading_day
        definition with its NYSE holidays: 13.6 KB, serialized again for each row, 229 MB and over a minute for
        the six checks of a ten-year range (2,803 sessions), for rows nothing resolves (a check evaluated once
        for a range records one result without a partition; dagster #33831). Here each row carries the planned
        event of that check and run without the subset, serialized once: the row's `partition` already says which
        partition it plans, and the UI reads only the check, run and status of a planned row. The event log keeps
        the full event."""
        planned = cast("AssetCheckEvaluationPlanned", event.get_dagster_event().event_specific_data)
        partition_keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        light = event if len(partition_keys) == 1 else event._replace(dagster_event=event.get_dagster_event()._replace(
            event_specific_data=copy(planned, partitions_subset=None)))
        shared = dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, run_id=event.run_id,
                      execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                      evaluation_event=serialize_value(light),
                      evaluation_event_timestamp=self._event_insert_timestamp(event),
                      evaluation_event_storage_id=event_id)
        with self.index_connection() as conn:  # executemany, as for the events above
            conn.execute(AssetCheckExecutionsTable.insert(),
                         [dict(shared, partition=partition_key) for partition_key in partition_keys])


def keep_connections(part: Any) -> None:
    """Swap a dagster-postgres storage part's per-query engine for a pooled one (the webserver's settings)."""
    unpooled = part._engine
    part._engine = create_pg_engine(part.postgres_url, part._token_provider, isolation_level="AUTOCOMMIT",
                                    pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                                    pool_recycle=POOL_RECYCLE_SECONDS, pool_pre_ping=True)
    unpooled.dispose()
