"""Resources, built from `settings` in one place; secrets stay unresolved `EnvVar`s so no UI or snapshot shows them."""

from __future__ import annotations

import dagster as dg

from investing_assets import settings
from investing_assets.lib.services.sources import MarketSources, SourceSettings, build_source, parse_routes
from investing_assets.lib.sources.ibkr import DEFAULT_CLIENT_ID, DEFAULT_HOST, DEFAULT_PORT
from investing_assets.lib.sources.protocol import Source
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
    """Where each dataset comes from: `sources` routes datasets by name ("universe=fmp,bars=yahoo,quotes=yahoo"),
    `source` (demo, csv, yahoo, fmp or ibkr; offline demo by default) serves the rest. `get()` hands each asset the
    typed source of its dataset (lib/services/sources.MarketSources)."""

    source: str = "demo"
    sources: str = ""
    csv_folder: str | None = None
    fmp_api_key: str | None = None
    ibkr_host: str = DEFAULT_HOST
    ibkr_port: int = DEFAULT_PORT
    ibkr_client_id: int = DEFAULT_CLIENT_ID
    demo_symbols: int | None = None  # the demo universe's size; None: the index members

    def get(self) -> MarketSources:
        routes = parse_routes(self.sources, self.source)
        source_settings = SourceSettings(self.csv_folder, self.fmp_api_key, self.ibkr_host, self.ibkr_port,
                                         self.ibkr_client_id, self.demo_symbols)
        return MarketSources(routes, lambda name: _cached_source(name, source_settings))


class SecEdgarResource(dg.ConfigurableResource):
    """Where the weekly SEC EDGAR archives come from (`demo` or `edgar`), the folder they are kept in, and the
    User-Agent contact SEC requires (the EDGAR downloader refuses to run without it)."""

    source: str = "demo"
    folder: str
    user_agent: str | None = None


_SOURCES: dict[tuple[str, SourceSettings], Source] = {}


def _cached_source(name: str, source_settings: SourceSettings) -> Source:
    # One source object per process: the demo source simulates its whole history once and slices it.
    key = (name, source_settings)
    if key not in _SOURCES:
        _SOURCES[key] = build_source(name, source_settings)
    return _SOURCES[key]


def build_resources() -> dict[str, dg.ConfigurableResource]:
    gateway = settings.ibkr_gateway()
    return {
        # URLs may carry passwords: resolved by Dagster at run time, never written into the snapshot
        "warehouse": WarehouseResource(url=dg.EnvVar("INVESTING_PG_URL")),
        "cache": HotCacheResource(url=dg.EnvVar("INVESTING_REDIS_URL")),
        "market_data": MarketDataResource(
            source=settings.market_source(),
            sources=settings.market_routes().text,
            csv_folder=settings.csv_folder(),
            fmp_api_key=dg.EnvVar(settings.FMP_API_KEY) if settings.fmp_api_key() else None,
            ibkr_host=gateway.host,
            ibkr_port=gateway.port,
            ibkr_client_id=gateway.client_id,
            demo_symbols=settings.demo_symbols(),
        ),
        "sec_edgar": SecEdgarResource(source=settings.sec_source(), folder=str(settings.sec_folder()),
                                      user_agent=settings.sec_user_agent()),
    }
