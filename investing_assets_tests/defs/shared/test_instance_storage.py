"""The instance storage `dagster.yaml` names keeps its connections: a query does not pay for a connect."""

import shutil
import uuid

import dagster as dg
import psycopg
import pytest
import sqlalchemy as sa
import yaml
from dagster._core.events import DagsterEventType
from dagster._core.instance.ref import InstanceRef

from investing_assets import settings
from investing_assets.defs.shared.instance_storage import PooledPostgresStorage
from investing_assets.lib.storage.servers import to_psycopg2_url
from investing_assets_tests.conftest import with_database


def _backend(part) -> int:
    with part._engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_every_storage_part_reuses_its_connection(pg_url, tmp_path, monkeypatch):
    shutil.copyfile(settings.DAGSTER_YAML, tmp_path / "dagster.yaml")
    monkeypatch.setenv("INVESTING_DAGSTER_PG_URL", to_psycopg2_url(pg_url))
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path))) as instance:
        assert instance.get_ref().storage_data.class_name == PooledPostgresStorage.__name__
        parts = [instance._run_storage, instance._event_storage, instance._schedule_storage]
        for part in parts:
            assert _backend(part) == _backend(part), type(part).__name__  # per-query engines connect anew
        run = instance.create_run_for_job(dg.GraphDefinition("noop").to_job(), run_id=None)
        assert instance.get_run_by_id(run.run_id).run_id == run.run_id  # the storage works through the pool


# --- planned events of a range run, a batch at a time (PlannedBatchEventLogStorage) ---------------------------

DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-03-01")
RANGE = ("2026-01-05", "2026-02-13")  # 40 partitions in one run


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run(),
          check_specs=[dg.AssetCheckSpec("fine", asset="ranged", blocking=True)])
def ranged(context: dg.AssetExecutionContext):
    if context.run.tags.get("fail") == "yes":
        raise dg.Failure("failed on purpose")
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(check_name="fine", passed=True)


@pytest.fixture
def stock_pg_url(pg_admin_url):
    """A second database, for dagster-postgres' own storage beside ours."""
    name = f"ia_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield to_psycopg2_url(with_database(pg_admin_url, name))
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _instance(tmp_path, url: str, stock: bool) -> dg.DagsterInstance:
    storage = {"postgres": {"postgres_url": url}} if stock else {"custom": {
        "module": "investing_assets.defs.shared.instance_storage", "class": "PooledPostgresStorage",
        "config": {"postgres_url": url}}}
    folder = tmp_path / ("stock" if stock else "ours")
    folder.mkdir()
    (folder / "dagster.yaml").write_text(yaml.safe_dump({"storage": storage, "telemetry": {"enabled": False}}))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(folder)))


def _event_log_inserts(instance: dg.DagsterInstance) -> list[int]:
    """Counts, as they happen, the INSERT statements into event_logs the event log storage sends."""
    inserts = [0]

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO EVENT_LOGS"):
            inserts[0] += 1

    sa.event.listen(instance._event_storage._engine, "before_cursor_execute", count)
    return inserts


def _range_run(instance: dg.DagsterInstance, fail: bool = False) -> dg.ExecuteInProcessResult:
    tags = {"dagster/asset_partition_range_start": RANGE[0], "dagster/asset_partition_range_end": RANGE[1],
            "fail": "yes" if fail else "no"}
    return dg.materialize([ranged], instance=instance, tags=tags, raise_on_error=False)


def _what_the_ui_reads(instance: dg.DagsterInstance, run_id: str) -> dict[str, object]:
    """The planned events, the partitions' materialized / failed-or-in-progress state and tags, the check rows."""
    key = dg.AssetKey("ranged")
    planned = instance.get_records_for_run(
        run_id, of_type={DagsterEventType.ASSET_MATERIALIZATION_PLANNED}).records
    storage = instance.event_log_storage
    checks = storage.get_asset_check_execution_history(dg.AssetCheckKey(key, "fine"), limit=1000)
    [record] = instance.get_asset_records([key])
    return {
        "planned": sorted(r.event_log_entry.dagster_event.partition for r in planned),
        "materialized": sorted(instance.get_materialized_partitions(key)),
        # each materialization's indexed tags (their values name the run's code version, so the keys only)
        "tags": sorted(tuple(sorted(tags)) for tags in storage.get_event_tags_for_asset(key)),
        "attempted_not_materialized": sorted(
            storage.get_latest_asset_partition_materialization_attempts_without_materializations(key)),
        "checks": sorted((c.partition or "", c.status.value) for c in checks),
        "check_events": {(c.event.dagster_event.event_type, c.event.dagster_event.event_specific_data.check_name)
                         for c in checks},  # each row's event reads back as the check's planned event or result
        "last_run_is_this_one": record.asset_entry.last_run_id == run_id,
    }


@pytest.mark.parametrize("fail", [False, True], ids=["succeeded", "failed"])
def test_a_range_run_stores_its_planned_events_as_dagster_does_in_a_few_inserts(pg_url, stock_pg_url, tmp_path,
                                                                                 monkeypatch, fail):
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    seen, inserts = {}, {}
    for stock, url in ((False, to_psycopg2_url(pg_url)), (True, stock_pg_url)):
        with _instance(tmp_path, url, stock) as instance:
            counted = _event_log_inserts(instance)
            result = _range_run(instance, fail)
            assert result.success is not fail
            inserts[stock] = counted[0]
            seen[stock] = _what_the_ui_reads(instance, result.run_id)
    assert len(seen[False]["planned"]) == 40
    assert seen[False] == seen[True]  # the same event log and partition states as dagster-postgres' storage
    assert len(seen[False]["materialized"]) == (0 if fail else 40) and len(seen[False]["tags"]) == (0 if fail else 40)
    if fail:
        assert seen[False]["attempted_not_materialized"] == seen[False]["planned"]  # the UI's failed partitions
    # dagster-postgres stores each planned event with its own INSERT (40 here, 2,803 per asset in ten years);
    # ours a batch at a time, so the run's inserts hardly depend on its partitions
    assert inserts[True] >= inserts[False] + 39
    assert inserts[False] <= 25
