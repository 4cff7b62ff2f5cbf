"""Market data assets: one trading_day partition is one session for the whole universe.

The assets that read bars run in the concurrency pool of the source bars are routed to (`ibkr` for IBKR, whose
pacing is per gateway session; none for the others), chosen when the code location loads from the same settings
the resources are built from (INVESTING_SOURCES / INVESTING_SOURCE). Routing bars elsewhere takes a reload.
"""

import datetime as dt

import dagster as dg

from investing_assets import settings
from investing_assets.defs.market.checks import (
    BAR_CHECKS,
    HOLDINGS_CHECKS,
    bar_check_results,
    holdings_check_results,
)
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import (
    source_metadata,
    stored_in,
    written_metadata,
    written_results,
)
from investing_assets.defs.shared.partitions import (
    FIRST_SESSION,
    SINGLE_RUN,
    sessions_of,
    symbol,
    trading_day,
)
from investing_assets.defs.shared.resources import HotCacheResource, MarketDataResource, WarehouseResource
from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.services import market
from investing_assets.lib.services.etf_holdings import write_etf_holdings
from investing_assets.lib.services.history import write_symbol_history
from investing_assets.lib.storage import names

GROUP = "market"
DAILY = dict(partitions_def=trading_day, backfill_policy=SINGLE_RUN, group_name=GROUP)
BARS_POOL = settings.market_routes().pool_of(Dataset.BARS)


@dg.asset(**DAILY, kinds={"postgres", "polars"}, metadata=stored_in(names.UNIVERSE),
          description="Tradable universe (symbol, sector, industry) per session; keeps `symbol` partitions equal to it.")
def universe(context: dg.AssetExecutionContext, market_data: MarketDataResource, warehouse: WarehouseResource):
    sessions = sessions_of(context)
    store = warehouse.get()
    source = market_data.get().universe()
    written, symbols = market.write_universe(source, store, sessions)
    added, removed = _sync_symbol_partitions(context, symbols, latest=sessions[-1])
    yield from written_results(context.asset_key, written, sessions, store, names.UNIVERSE,
                               labels=source_metadata(source), symbol_partitions_added=added, symbol_partitions_removed=removed)


@dg.asset(**DAILY, deps=[keys.UNIVERSE], kinds={"postgres", "polars"}, metadata=stored_in(names.INDEX_CONSTITUENTS),
          description="S&P 500, NASDAQ-100 and Dow membership with index weights, per session.")
def index_constituents(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                       warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    source = market_data.get().constituents()
    written = market.write_index_constituents(source, store, sessions)
    yield from written_results(context.asset_key, written, sessions, store, names.INDEX_CONSTITUENTS,
                               labels=source_metadata(source))


@dg.asset(**DAILY, deps=[keys.UNIVERSE], kinds={"postgres", "polars"}, check_specs=BAR_CHECKS, metadata=stored_in(names.DAILY_BARS),
          pool=BARS_POOL, description="Daily OHLCV bars for every universe symbol, validated before anything is written.")
def daily_bars(context: dg.AssetExecutionContext, market_data: MarketDataResource,
               warehouse: WarehouseResource):
    sessions = sessions_of(context)
    store = warehouse.get()
    source = market_data.get().bars()
    written = market.write_daily_bars(source, store, sessions)
    yield from written_results(context.asset_key, written, sessions, store, names.DAILY_BARS,
                               labels=source_metadata(source))
    yield from bar_check_results(store, sessions)


@dg.asset(**DAILY, deps=[keys.UNIVERSE], kinds={"postgres", "polars"}, metadata=stored_in(names.CORPORATE_ACTIONS),
          description="Splits and dividends by ex-date session, from the source (Yahoo chart events, FMP splits and "
                      "dividends, a csv file's columns; the demo has none): what analytics adjust raw bars with "
                      "where the source gives no adj_close.")
def corporate_actions(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                      warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    source = market_data.get().corporate_actions()
    written = market.write_corporate_actions(source, store, sessions)
    yield from written_results(context.asset_key, written, sessions, store, names.CORPORATE_ACTIONS,
                               labels=source_metadata(source))


@dg.asset(**DAILY, kinds={"postgres", "redis", "polars"}, check_specs=HOLDINGS_CHECKS,
          metadata=stored_in(names.ETF_HOLDINGS),
          description="What each quoted ETF holds per session (symbol, name, weight, shares, market value; cash lines "
                      "too, so weights sum to about 1), next to index_constituents; newest session in Redis "
                      "`cache:etf_holdings`. FMP keeps only today's lists (each row's as_of says which day).")
def etf_holdings(context: dg.AssetExecutionContext, market_data: MarketDataResource, warehouse: WarehouseResource,
                 cache: HotCacheResource):
    sessions, store = sessions_of(context), warehouse.get()
    source = market_data.get().etf_holdings()
    written = write_etf_holdings(source, store, cache.get(), sessions)
    if written.cached is False:
        context.log.warning("Redis not refreshed for ETF holdings; the next run refills it")
    yield from written_results(context.asset_key, written, sessions, store, names.ETF_HOLDINGS,
                               labels=source_metadata(source))
    yield from holdings_check_results(store, sessions)


def _quote_asset(asset_class: str, description: str, deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name=f"{asset_class}_quotes", **DAILY, deps=deps, kinds={"postgres", "redis", "polars"},
              metadata=stored_in(names.QUOTES), description=description)
    def _asset(context: dg.AssetExecutionContext, market_data: MarketDataResource, warehouse: WarehouseResource,
               cache: HotCacheResource):
        sessions, store = sessions_of(context), warehouse.get()
        source = market_data.get().quotes(asset_class)
        written = market.write_quotes(source, store, cache.get(), sessions, asset_class)
        if written.cached is False:
            context.log.warning(f"Redis not refreshed for {asset_class} quotes; the next run refills it")
        yield from written_results(context.asset_key, written, sessions, store, names.QUOTES,
                                   where={"asset_class": [asset_class]}, labels=source_metadata(source))

    return _asset


index_quotes = _quote_asset("index", "S&P 500, NASDAQ-100 and Dow levels; newest in Redis `cache:index_quotes`.",
                            [keys.INDEX_CONSTITUENTS, keys.DAILY_BARS])
etf_quotes = _quote_asset("etf", "Broad and sector ETF quotes; newest in Redis `cache:etf_quotes`.", [keys.DAILY_BARS])
commodity_quotes = _quote_asset("commodity", "Gold, silver, crude, natural gas, copper futures quotes; "
                                "newest in Redis `cache:commodity_quotes`.", [])
crypto_quotes = _quote_asset("crypto", "BTC, ETH, SOL quotes at each session's close; "
                             "newest in Redis `cache:crypto_quotes`.", [])
fx_quotes = _quote_asset("fx", "EUR/USD, GBP/USD, USD/JPY rates (in the quote currency) at each session; "
                         "newest in Redis `cache:fx_quotes`.", [])


@dg.asset(partitions_def=symbol, group_name=GROUP, kinds={"postgres", "polars"},
          metadata=stored_in(names.SYMBOL_HISTORY), pool=BARS_POOL,
          deps=[dg.AssetDep(keys.UNIVERSE, partition_mapping=dg.LastPartitionMapping())],
          description="A symbol's full price history from the source, in its own table (onboarding a name whose "
                      "past sessions `daily_bars` never stored). It never writes `market.daily_bars`: readers of "
                      "long history (indicators, scan, correlations, industry returns, reports, `investing ta | "
                      "chart | scan`) take `daily_bars`' bar wherever it has one and this table's only for the "
                      "sessions it lacks. To correct stored daily bars, re-materialize `daily_bars`' sessions.")
def price_history(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    source = market_data.get().bars()
    written = write_symbol_history(source, warehouse.get(), context.partition_key, start=FIRST_SESSION)
    return dg.MaterializeResult(metadata=written_metadata(written, **source_metadata(source)))


def _sync_symbol_partitions(context: dg.AssetExecutionContext, symbols: list[str], latest) -> tuple[int, int]:
    """Only the newest session moves the partitions, so backfilling an old day never drops today's names."""
    instance = context.instance
    existing = set(instance.get_dynamic_partitions(symbol.name))
    wanted = set(symbols)
    if latest < _today_session():
        # a backfill of a past day adds names (history needs them) but never removes today's
        new = sorted(wanted - existing)
        if new:
            instance.add_dynamic_partitions(symbol.name, new)
        return len(new), 0
    new, gone = sorted(wanted - existing), sorted(existing - wanted)
    if new:
        instance.add_dynamic_partitions(symbol.name, new)
    for key in gone:
        instance.delete_dynamic_partition(symbol.name, key)
    return len(new), len(gone)


def _today_session() -> dt.date:
    return calendar.last_session_on_or_before(calendar.in_new_york().date())
