"""Model memory: the chat's conversations and the services' working state, synced from Redis to PostgreSQL."""

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import stored_in
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.lib.services.model_memory import MemorySyncFailed, sync
from investing_assets.lib.storage import names
from investing_assets.lib.storage.memory import MemoryStore

GROUP = "memory"


@dg.asset(key=keys.MODEL_MEMORY, group_name=GROUP, kinds={"postgres", "redis"}, metadata=stored_in(names.MODEL_MEMORY),
          description="Redis `memory:*` (chat conversations and launches, the scanner's rotation) and "
                      "ops.model_memory made equal, item by item, the newer version winning either way; an emptied "
                      "Redis is refilled. A PostgreSQL outage fails the run and loses nothing: the next sync "
                      "catches up.")
def model_memory(warehouse: WarehouseResource, cache: HotCacheResource) -> dg.MaterializeResult:
    try:
        outcome = sync(MemoryStore(cache.url), warehouse.get())
    except MemorySyncFailed as failed:
        raise dg.Failure(description=str(failed)) from None
    return dg.MaterializeResult(metadata={"items": outcome.items, "namespaces": outcome.namespaces,
                                          "written_to_postgres": outcome.to_postgres,
                                          "written_to_redis": outcome.to_redis})
