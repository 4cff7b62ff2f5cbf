"""Materialize real assets against the test's own PostgreSQL database and Redis logical database."""


import dagster as dg
import pytest

from investing_assets.defs.shared.resources import HotCacheResource, MarketDataResource, WarehouseResource


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture
def resources(pg_url: str, redis_url: str) -> dict:
    return {
        "warehouse": WarehouseResource(url=pg_url),
        "cache": HotCacheResource(url=redis_url),
        "market_data": MarketDataResource(source="demo"),
    }
