"""Materialize real assets against the test's own PostgreSQL database and Redis logical database."""

import datetime as dt

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


def materialize_range(assets, first: dt.date, last: dt.date, resources: dict, instance, *, raise_on_error=True,
                      selection=None):
    """One run over a partition range, as `dagster asset materialize --partition-range` launches it."""
    tags = {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
    return dg.materialize(assets, resources=resources, instance=instance, tags=tags,
                          raise_on_error=raise_on_error, selection=selection)
