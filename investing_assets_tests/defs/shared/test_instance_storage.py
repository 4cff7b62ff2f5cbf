"""The instance storage `dagster.yaml` names keeps its connections: a query does not pay for a connect."""

import shutil

import dagster as dg
import sqlalchemy as sa
from dagster._core.instance.ref import InstanceRef

from investing_assets import settings
from investing_assets.defs.shared.instance_storage import PooledPostgresStorage
from investing_assets.lib.storage.servers import to_psycopg2_url


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
