"""The shared seeded warehouse with this test's own (empty) Redis database: every test starts with cold caches."""

import pytest

from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.fixture
def stores(read_warehouse_url: str, redis_url: str) -> Stores:
    return Stores(Warehouse(read_warehouse_url), HotCache(redis_url), "demo")
