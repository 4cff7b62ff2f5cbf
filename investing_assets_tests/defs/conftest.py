"""Materialize real assets against the test's own PostgreSQL database and Redis logical database."""


import dagster as dg
import pytest

from investing_assets.defs.shared.resources import (
    HotCacheResource,
    MarketDataResource,
    SecEdgarResource,
    WarehouseResource,
)


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture
def resources(pg_url: str, redis_url: str, tmp_path) -> dict:
    return {
        "warehouse": WarehouseResource(url=pg_url),
        "cache": HotCacheResource(url=redis_url),
        "market_data": MarketDataResource(source="demo"),
        "sec_edgar": SecEdgarResource(source="demo", folder=str(tmp_path / "sec")),
    }
