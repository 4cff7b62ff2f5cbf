"""The app over the shared seeded warehouse, this test's own (empty, so cold) Redis database and a test Dagster
instance, called through FastAPI's TestClient (httpx)."""

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from investing_assets.api.app import create_app
from investing_assets.api.dagster_status import DagsterStatus
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.fixture
def dagster_instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def client(read_warehouse_url, redis_url, dagster_instance):
    app = create_app(Stores(Warehouse(read_warehouse_url), HotCache(redis_url), "demo"),
                     DagsterStatus(lambda: dagster_instance))
    with TestClient(app) as client:
        yield client
