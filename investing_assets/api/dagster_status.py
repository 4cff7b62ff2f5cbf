"""Run and partition status, read from the Dagster instance (the one `make dev` runs, from DAGSTER_HOME).

Only reads: run records, materialized partitions, and the latest materialization attempts that produced no
materialization (with their runs' status) are what the UI's partition bar is made of; the asset status cache
Dagster keeps beside them is neither read nor written here, so nothing of the instance changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Lock
from typing import Any

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.lib.services.reads import NotFound, Refused, Result, Window

RUN_BATCH = 100
STATUSES = ("materialized", "failed", "in_progress")
RUN_STATUSES = tuple(status.value for status in dg.DagsterRunStatus)
ASSETS = sorted(key.to_user_string() for key in vars(keys).values() if isinstance(key, dg.AssetKey))


class DagsterUnavailable(RuntimeError):
    """The instance cannot be opened or read (no DAGSTER_HOME, its PostgreSQL down)."""


class DagsterStatus:
    """Reads from one instance, opened on first use and kept for the process."""

    def __init__(self, open_instance: Callable[[], dg.DagsterInstance]) -> None:
        self._open = open_instance
        self._instance: dg.DagsterInstance | None = None
        self._lock = Lock()

    @contextmanager
    def instance(self) -> Iterator[dg.DagsterInstance]:
        with self._lock:
            if self._instance is None:
                try:
                    self._instance = self._open()
                except Exception as exc:  # any way the instance fails to open is one answer: unavailable
                    raise DagsterUnavailable(f"the Dagster instance cannot be opened: {exc}") from exc
        try:
            yield self._instance
        except (NotFound, Refused):
            raise
        except Exception as exc:
            raise DagsterUnavailable(f"the Dagster instance cannot be read: {exc}") from exc

    def close(self) -> None:
        if self._instance is not None:
            self._instance.dispose()
            self._instance = None

    def runs(self, limit: int, cursor: str | None = None, status: str | None = None,
             job: str | None = None) -> Result:
        """The newest runs first, `limit` at a time from after `cursor` (a run id)."""
        filters = dg.RunsFilter(statuses=[_run_status(status)] if status else [], job_name=job)
        window = Window(limit)
        with self.instance() as instance:
            if cursor is not None and instance.get_run_by_id(cursor) is None:
                raise NotFound(f"unknown run {cursor}: no such run to page from")
            records = instance.get_run_records(filters=filters, limit=limit + 1, cursor=cursor)
            total = instance.get_runs_count(filters)
        rows = [_run_row(record) for record in records[:limit]]
        more = len(records) > limit
        return Result(rows, None, "dagster", total=total, window=window,
                      extra={"next_cursor": rows[-1]["run_id"] if more else None})

    def run(self, run_id: str) -> Result:
        """One run with its tags and the asset partitions it planned to materialize."""
        with self.instance() as instance:
            records = instance.get_run_records(filters=dg.RunsFilter(run_ids=[run_id]), limit=1)
            if not records:
                raise NotFound(f"unknown run {run_id}")
            planned = instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        record = records[0]
        plans = [event.event_log_entry.dagster_event.event_specific_data for event in planned]
        planned_partitions = sorted({(plan.asset_key.to_user_string(), plan.partition) for plan in plans},
                                    key=lambda pair: (pair[0], pair[1] or ""))
        return Result({**_run_row(record), "tags": dict(record.dagster_run.tags),
                       "planned": [{"asset": asset, "partition": partition} for asset, partition in planned_partitions]},
                      None, "dagster")

    def partitions(self, asset: str, window: Window, status: str | None = None) -> Result:
        """Every partition of `asset` with a status (materialized, failed, in_progress), newest key first."""
        if asset not in ASSETS:
            raise NotFound(f"unknown asset {asset!r}: one of {', '.join(ASSETS)}")
        if status is not None and status not in STATUSES:
            raise Refused(f"unknown partition status {status!r}: one of {', '.join(STATUSES)}")
        key = dg.AssetKey.from_user_string(asset)
        with self.instance() as instance:
            by_partition = _partition_statuses(instance, key)
        counts = {name: sum(1 for s in by_partition.values() if s == name) for name in STATUSES}
        rows = [{"partition": partition, "status": state} for partition, state
                in sorted(by_partition.items(), reverse=True) if status is None or state == status]
        return Result(window.slice(rows), None, "dagster", total=len(rows), window=window,
                      extra={"asset": asset, "counts": counts})


def _partition_statuses(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, str]:
    """As the UI decides it: a partition whose latest attempt is still running is in progress, one whose latest
    attempt failed is failed (even if an older run materialized it), else materialized when it ever was."""
    statuses = {partition: "materialized" for partition in instance.get_materialized_partitions(key)}
    attempts = instance.event_log_storage \
        .get_latest_asset_partition_materialization_attempts_without_materializations(key)
    run_ids = sorted({run_id for run_id, _ in attempts.values()})
    runs: dict[str, dg.DagsterRun] = {}
    for start in range(0, len(run_ids), RUN_BATCH):
        for run in instance.get_runs(filters=dg.RunsFilter(run_ids=run_ids[start:start + RUN_BATCH])):
            runs[run.run_id] = run
    for partition, (run_id, _) in attempts.items():
        run = runs.get(run_id)
        if run is None:  # a deleted run: neither failed nor in progress
            continue
        if not run.is_finished:
            statuses[partition] = "in_progress"
        elif run.is_failure:
            statuses[partition] = "failed"
    return statuses


def _run_status(text: str) -> dg.DagsterRunStatus:
    try:
        return dg.DagsterRunStatus(text.upper())
    except ValueError:
        raise Refused(f"unknown run status {text!r}: one of {', '.join(RUN_STATUSES)}") from None


def _run_row(record: Any) -> dict[str, Any]:
    run = record.dagster_run
    tags = run.tags
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        "created_at": _utc(record.create_timestamp),
        "started_at": _from_epoch(record.start_time),
        "ended_at": _from_epoch(record.end_time),
        "partition": tags.get("dagster/partition"),
        "partition_range_start": tags.get("dagster/asset_partition_range_start"),
        "partition_range_end": tags.get("dagster/asset_partition_range_end"),
        "backfill_id": tags.get("dagster/backfill"),
        "asset_selection": sorted(key.to_user_string() for key in run.asset_selection or ()),  # []: the whole job
    }


def _utc(moment: dt.datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def _from_epoch(seconds: float | None) -> str | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()
