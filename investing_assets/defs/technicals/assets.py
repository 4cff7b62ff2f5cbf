"""Technical analysis assets: indicators, the daily scan (four assets, one computation), correlations, and the
per-symbol and watchlist chart reports."""

import datetime as dt

import dagster as dg

from investing_assets import settings
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.checks import unique_key_result, unique_key_spec
from investing_assets.defs.shared.metadata import (
    chart_metadata,
    charted,
    data_note,
    not_charted,
    session_results,
    stored_in,
    written_results,
)
from investing_assets.defs.shared.partitions import (
    SINGLE_RUN,
    lookback_mapping,
    sessions_of,
    symbol,
    symbol_history_dep,
    trading_day,
    watchlist_grid,
)
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.defs.technicals.metadata import (
    correlation_metadata,
    discoveries_metadata,
    report_metadata,
    scan_run_metadata,
    watchlist_metadata,
)
from investing_assets.lib.analytics.indicators import longest_lookback
from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.symbols import check_symbols
from investing_assets.lib.services import scan as scan_service
from investing_assets.lib.services.correlations import write_correlations
from investing_assets.lib.services.indicators import write_indicators
from investing_assets.lib.services.reports import stored_report
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import universe_symbols
from investing_assets.lib.storage.queries.sessions import rows_per_session
from investing_assets.lib.storage.queries.technicals import latest_discoveries

GROUP = "technicals"
DAILY = dict(partitions_def=trading_day, backfill_policy=SINGLE_RUN, group_name=GROUP)
DAILY_SPEC = dict(partitions_def=trading_day, group_name=GROUP)
_DEFAULTS = ScanConfig()
# The scan recomputes indicators on each session's fixed window, so its only inputs are the bars (daily_bars, filled
# from price_history where it has none) and their splits and dividends.
_SCAN_INPUTS = [*(dg.AssetDep(key, partition_mapping=lookback_mapping(_DEFAULTS.history_sessions))
                  for key in (keys.DAILY_BARS, keys.CORPORATE_ACTIONS)), symbol_history_dep()]


@dg.asset(
    **DAILY, kinds={"postgres", "polars"}, metadata=stored_in(names.INDICATORS),
    ins={"daily_bars": dg.AssetIn(key=keys.DAILY_BARS, partition_mapping=lookback_mapping(longest_lookback()),
                                  dagster_type=dg.Nothing)},
    deps=[dg.AssetDep(keys.CORPORATE_ACTIONS, partition_mapping=lookback_mapping(longest_lookback())),
          symbol_history_dep()],
    check_specs=[unique_key_spec(keys.INDICATORS)],
    description="SMA, EMA, RSI, MACD, Bollinger, ATR, ADX, OBV, Stochastic (TA-Lib) per symbol and session.",
)
def indicators(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    sessions = sessions_of(context)
    store = warehouse.get()
    written, gaps = write_indicators(store, sessions, settings.price_basis())
    for note in written.notes:
        context.log.warning(note)
    yield from written_results(
        context.asset_key, written, sessions, store, names.INDICATORS, lookback_complete=gaps.complete,
        lookback_sessions=gaps.window_sessions, lookback_start=gaps.window_start,
        symbols_with_short_window=gaps.symbols_with_short_window,
        null_for_lack_of_history=dg.MetadataValue.json(written.null_counts))
    yield unique_key_result(store, names.INDICATORS, keys.INDICATORS, sessions)


class ScanRunConfig(dg.Config):
    """batch_size 0 scans the whole universe; N scans the N least recently scanned symbols (Redis); `symbols`
    (a rescan the chat launches) scans only those, replacing only their rows."""

    batch_size: int = _DEFAULTS.batch_size
    symbols: list[str] = []
    min_price: float = _DEFAULTS.min_price
    min_dollar_volume: float = _DEFAULTS.min_dollar_volume
    min_history: int = _DEFAULTS.min_history


@dg.multi_asset(
    specs=[
        dg.AssetSpec(keys.CANDLESTICK_PATTERNS, deps=_SCAN_INPUTS, kinds={"postgres", "talib"}, **DAILY_SPEC,
                     metadata=stored_in(names.CANDLESTICK_PATTERNS),
                     description="The 61 TA-Lib candlestick patterns per symbol and session; `confirmed` marks "
                                 "those the trend-and-volume rule lets the scanner surface, with the reason."),
        dg.AssetSpec(keys.CHART_PATTERNS, deps=_SCAN_INPUTS, kinds={"postgres", "polars"}, **DAILY_SPEC,
                     metadata=stored_in(names.CHART_PATTERNS),
                     description="Head-and-shoulders, doubles, triangles, rectangles, broadenings, wedges, "
                                 "channels (kernel-regression extrema, volatility-scaled), reported on breakout."),
        dg.AssetSpec(keys.TECHNICAL_EVENTS, deps=_SCAN_INPUTS, kinds={"postgres", "polars"}, **DAILY_SPEC,
                     metadata=stored_in(names.TECHNICAL_EVENTS),
                     description="Golden/death crosses, 52-week highs and lows, range breakouts, unusual volume, "
                                 "RSI extremes, MACD crosses."),
        dg.AssetSpec(keys.SCAN_RESULTS, deps=[keys.CANDLESTICK_PATTERNS, keys.CHART_PATTERNS, keys.TECHNICAL_EVENTS],
                     kinds={"postgres", "redis"}, **DAILY_SPEC, metadata=stored_in(names.PATTERN_DISCOVERIES),
                     description="The day's ranked discoveries (symbol, pattern, direction, key levels, "
                                 "confidence); top 20 in Redis `cache:scan:latest`."),
    ],
    backfill_policy=SINGLE_RUN,
    can_subset=False,
)
def daily_scan(context: dg.AssetExecutionContext, config: ScanRunConfig, warehouse: WarehouseResource,
               cache: HotCacheResource):
    sessions = sessions_of(context)
    store, hot = warehouse.get(), cache.get()
    symbols = None
    if config.symbols:
        try:
            symbols = check_symbols(config.symbols)
        except BadMarketData as refused:
            raise dg.Failure(description=str(refused), allow_retries=False) from None
    elif config.batch_size > 0:
        symbols = scan_service.next_batch(hot, universe_symbols(store, sessions[-1]), config.batch_size, store)
        context.log.info(f"batch of {len(symbols)} least recently scanned symbols: {', '.join(symbols[:10])} ...")
    scan_config = ScanConfig(min_price=config.min_price, min_dollar_volume=config.min_dollar_volume,
                             min_history=config.min_history, basis=settings.price_basis())
    run = scan_service.scan_sessions(store, hot, sessions, config=scan_config, symbols=symbols,
                                     progress=context.log.info)
    if run.cached is False:
        context.log.warning("Redis not refreshed for the scan; the next run refills it")
    confirmed = rows_per_session(store, names.CANDLESTICK_PATTERNS, sessions, {"confirmed": [True]})
    yield from session_results(keys.CANDLESTICK_PATTERNS, sessions,
                               rows_per_session(store, names.CANDLESTICK_PATTERNS, sessions),
                               own=lambda session: {"confirmed": confirmed[session]})
    for key, table in ((keys.CHART_PATTERNS, names.CHART_PATTERNS), (keys.TECHNICAL_EVENTS, names.TECHNICAL_EVENTS)):
        yield from session_results(key, sessions, rows_per_session(store, table, sessions))
    yield from session_results(
        keys.SCAN_RESULTS, sessions, rows_per_session(store, names.PATTERN_DISCOVERIES, sessions),
        run=scan_run_metadata(run),
        own=lambda session: {"price_basis": run.basis,
                             **discoveries_metadata(session, latest_discoveries(store, 20, session),
                                                    chart=charted(session, sessions)),
                             **({} if charted(session, sessions) else not_charted(sessions))})


@dg.asset(**DAILY, kinds={"postgres", "polars"}, metadata=stored_in(names.SYMBOL_CORRELATIONS),
          deps=[dg.AssetDep(keys.DAILY_BARS, partition_mapping=lookback_mapping(61)), keys.UNIVERSE,
                dg.AssetDep(keys.CORPORATE_ACTIONS, partition_mapping=lookback_mapping(61)), symbol_history_dep()],
          description="Rolling 60-session correlations: each symbol vs its sector and the market, the most and "
                      "least correlated pairs, and a sector heatmap.")
def correlations(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    outcome = write_correlations(store, sessions, basis=settings.price_basis())

    def own(session):
        if session not in outcome.by_session:
            return {}
        if not charted(session, sessions):
            return {**correlation_metadata(outcome.by_session[session], chart=False), **not_charted(sessions)}
        return correlation_metadata(outcome.by_session[session], chart=True)

    yield from session_results(context.asset_key, sessions,
                               rows_per_session(store, names.SYMBOL_CORRELATIONS, sessions), own=own)


@dg.asset(partitions_def=symbol, group_name=GROUP, kinds={"matplotlib", "postgres"},
          deps=[dg.AssetDep(keys.DAILY_BARS, partition_mapping=dg.LastPartitionMapping()),
                dg.AssetDep(keys.CORPORATE_ACTIONS, partition_mapping=dg.LastPartitionMapping()),
                keys.PRICE_HISTORY],  # the same symbol partition
          description="One symbol's chart: candles, SMA 50/200, Bollinger bands, volume, RSI, and every "
                      "detected pattern with its key points and breakout level (PNG, also under .investing/charts).")
def technical_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    # as of now, not of a partition: the last closed session, or the last one the warehouse holds before it
    report = stored_report(warehouse.get(), context.partition_key, last_closed_session(), settings.price_basis(),
                           data_note=data_note())
    path = settings.charts_folder() / "symbols" / f"{report.symbol}.png"
    return dg.MaterializeResult(metadata={**report_metadata(report), **chart_metadata(report.png, path)})


@dg.asset(partitions_def=watchlist_grid, group_name=GROUP, kinds={"matplotlib", "postgres"},
          backfill_policy=SINGLE_RUN,
          deps=[dg.AssetDep(keys.DAILY_BARS, partition_mapping=dg.MultiToSingleDimensionPartitionMapping("date")),
                symbol_history_dep()],
          description="The watchlist's deep-dive grid (date x symbol): the technical report as of that date, "
                      "from bars up to it only.")
def watchlist_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """A schedule asks for a whole day's watchlist as one run (range DATE|FIRST ... DATE|LAST); every cell gets
    its own report: its chart, patterns and events, never the run's last symbol's."""
    store = warehouse.get()
    cells = {}
    for key in context.partition_keys:
        day_key, name = key.split("|")
        report = stored_report(store, name, dt.date.fromisoformat(day_key), settings.price_basis(),
                               data_note=data_note())
        path = settings.charts_folder() / "watchlist" / day_key / f"{name}.png"
        cells[key] = {**report_metadata(report), **chart_metadata(report.png, path)}
    if len(cells) == 1:
        yield dg.MaterializeResult(metadata=next(iter(cells.values())))
        return
    yield dg.MaterializeResult(metadata=watchlist_metadata(cells))
    for key, meta in cells.items():
        yield dg.AssetMaterialization(asset_key=context.asset_key, partition=key, metadata=meta)
