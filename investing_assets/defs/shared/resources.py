"""Resources, built from `settings` in one place; secrets stay unresolved `EnvVar`s so no UI or snapshot shows them."""

from __future__ import annotations

from typing import Any

import dagster as dg

from investing_assets import settings
from investing_assets.lib.services.sources import make_source
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """PostgreSQL history (psycopg 3)."""

    url: str

    def get(self) -> Warehouse:
        return Warehouse(self.url)


class HotCacheResource(dg.ConfigurableResource):
    """Redis hot caches; an outage warns and never fails a run that already wrote PostgreSQL."""

    url: str

    def get(self) -> HotCache:
        return HotCache(self.url)


class MarketDataResource(dg.ConfigurableResource):
    """Where prices come from: demo (offline default), csv, yahoo or fmp."""

    source: str = "demo"
    csv_folder: str | None = None
    fmp_api_key: str | None = None

    def get(self) -> Any:
        return _cached_source(self.source, self.csv_folder, self.fmp_api_key)


_SOURCES: dict[tuple, Any] = {}


def _cached_source(name: str, csv_folder: str | None, fmp_api_key: str | None) -> Any:
    # One source object per process: the demo source simulates its whole history once and slices it.
    key = (name, csv_folder, fmp_api_key)
    if key not in _SOURCES:
        _SOURCES[key] = make_source(name, csv_folder=csv_folder, fmp_api_key=fmp_api_key)
    return _SOURCES[key]


def build_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        # URLs may carry passwords: resolved by Dagster at run time, never written into the snapshot
        "warehouse": WarehouseResource(url=dg.EnvVar("INVESTING_PG_URL")),
        "cache": HotCacheResource(url=dg.EnvVar("INVESTING_REDIS_URL")),
        "market_data": MarketDataResource(
            source=settings.market_source(),
            csv_folder=settings.csv_folder(),
            fmp_api_key=dg.EnvVar(settings.FMP_API_KEY) if settings.fmp_api_key() else None,
        ),
    }
