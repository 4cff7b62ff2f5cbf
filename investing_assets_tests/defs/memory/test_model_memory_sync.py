"""The model_memory asset and its 02:00 New York schedule, materialized against the real servers."""

import socket

import dagster as dg
import pytest

from investing_assets.definitions import defs
from investing_assets.defs.memory.assets import model_memory
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.lib.storage.memory import MemoryStore
from investing_assets.lib.storage.queries.memory import read_memory
from investing_assets.lib.storage.warehouse import Warehouse


def test_the_schedule_runs_the_sync_at_two_in_new_york():
    schedule = defs.get_schedule_def("model_memory_sync")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "America/New_York")
    assert schedule.job_name == "model_memory_sync"
    assert defs.resolve_job_def("model_memory_sync").asset_layer.selected_asset_keys == {model_memory.key}


def test_materializing_syncs_and_a_postgres_outage_fails_the_run(pg_url, redis_url, instance):
    memory = MemoryStore(redis_url)
    memory.put("chat:c1", {"m1": "what were today's top discoveries?"})
    result = dg.materialize([model_memory], instance=instance, resources={
        "warehouse": WarehouseResource(url=pg_url), "cache": HotCacheResource(url=redis_url)})
    assert result.success
    assert read_memory(Warehouse(pg_url)) == memory.dump()
    metadata = result.asset_materializations_for_node("model_memory")[0].metadata
    assert metadata["written_to_postgres"].value == 1

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    memory.put("chat:c1", {"m2": "later"})
    with pytest.raises(dg.Failure, match="PostgreSQL unavailable"):
        dg.materialize([model_memory], instance=instance, resources={
            "warehouse": WarehouseResource(url=f"postgresql://postgres@127.0.0.1:{port}/postgres"),
            "cache": HotCacheResource(url=redis_url)})
    assert dg.materialize([model_memory], instance=instance, resources={
        "warehouse": WarehouseResource(url=pg_url), "cache": HotCacheResource(url=redis_url)}).success
    assert read_memory(Warehouse(pg_url))[("chat:c1", "m2")].value == "later"
