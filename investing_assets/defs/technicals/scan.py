"""The daily market scan: one computation per session yields four assets (and one transaction writes them)."""

import dagster as dg
import polars as pl

from investing_assets.defs.shared.metadata import chart_metadata, charts_folder, markdown_table
from investing_assets.defs.shared.partitions import lookback_mapping, sessions_of, trading_day
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.charts import correlation_heatmap, scan_chart
from investing_assets.lib.services import scan as scan_service
from investing_assets.lib.services.correlations import write_correlations
from investing_assets.lib.storage.queries.market import universe_symbols
from investing_assets.lib.storage.queries.technicals import latest_discoveries

GROUP = "technicals"
HISTORY = ScanConfig().history_sessions
DAILY = dict(partitions_def=trading_day, group_name=GROUP)
# The scan recomputes indicators on each session's fixed window, so its only input is the bars.
_inputs = [dg.AssetDep("daily_bars", partition_mapping=lookback_mapping(HISTORY))]


class ScanRunConfig(dg.Config):
    """batch_size 0 scans the whole universe; N scans the N least recently scanned symbols (Redis)."""

    batch_size: int = 0
    min_price: float = 5.0
    min_dollar_volume: float = 5e6
    min_history: int = 252


@dg.multi_asset(
    specs=[
        dg.AssetSpec("candlestick_patterns", deps=_inputs, kinds={"postgres", "talib"}, **DAILY,
                     description="The 61 TA-Lib candlestick patterns per symbol and session; `confirmed` marks "
                                 "those the trend-and-volume rule lets the scanner surface, with the reason."),
        dg.AssetSpec("chart_patterns", deps=_inputs, kinds={"postgres", "polars"}, **DAILY,
                     description="Head-and-shoulders, doubles, triangles, rectangles, broadenings, wedges, "
                                 "channels (kernel-regression extrema, volatility-scaled), reported on breakout."),
        dg.AssetSpec("technical_events", deps=_inputs, kinds={"postgres", "polars"}, **DAILY,
                     description="Golden/death crosses, 52-week highs and lows, range breakouts, unusual volume, "
                                 "RSI extremes, MACD crosses."),
        dg.AssetSpec("scan_results", deps=["candlestick_patterns", "chart_patterns", "technical_events"],
                     kinds={"postgres", "redis"}, **DAILY,
                     description="The day's ranked discoveries (symbol, pattern, direction, key levels, "
                                 "confidence); top 20 in Redis `cache:scan:latest`."),
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def daily_scan(context: dg.AssetExecutionContext, config: ScanRunConfig, warehouse: WarehouseResource,
               cache: HotCacheResource):
    sessions = sessions_of(context)
    store, hot = warehouse.get(), cache.get()
    symbols = None
    if config.batch_size > 0:
        symbols = scan_service.next_batch(hot, universe_symbols(store, sessions[-1]), config.batch_size)
        context.log.info(f"batch of {len(symbols)} least recently scanned symbols: {', '.join(symbols[:10])} ...")
    scan_config = ScanConfig(min_price=config.min_price, min_dollar_volume=config.min_dollar_volume,
                             min_history=config.min_history)
    run = scan_service.scan_sessions(store, hot, sessions, config=scan_config, symbols=symbols,
                                     progress=context.log.info)
    if run.cached is False:
        context.log.warning("Redis not refreshed for the scan; the next run refills it")
    rows = run.rows
    yield dg.MaterializeResult(asset_key="candlestick_patterns", metadata={
        "dagster/row_count": rows["technicals.candlestick_patterns"],
        "confirmed": _count(run, "confirmed_candles"), "sessions": len(sessions)})
    yield dg.MaterializeResult(asset_key="chart_patterns", metadata={
        "dagster/row_count": rows["technicals.chart_patterns"], "sessions": len(sessions)})
    yield dg.MaterializeResult(asset_key="technical_events", metadata={
        "dagster/row_count": rows["technicals.technical_events"], "sessions": len(sessions)})
    yield dg.MaterializeResult(asset_key="scan_results", metadata=_scan_metadata(store, run))


def _count(run: scan_service.ScanOutcome, attribute: str) -> int:
    return getattr(run.latest, attribute).height if run.latest is not None else 0


def _scan_metadata(store, run: scan_service.ScanOutcome) -> dict[str, object]:
    best = latest_discoveries(store, 20, run.sessions[-1])
    meta: dict[str, object] = {
        "dagster/row_count": run.rows["technicals.pattern_discoveries"],
        "symbols_scanned": run.symbols_scanned,
        "sessions": len(run.sessions),
        "cache_refreshed": run.cached if run.cached is not None else "no cache",
    }
    if best.height:
        table = best.select("symbol", "kind", "pattern", "direction", "level", "target", "confidence")
        meta["top_discoveries"] = dg.MetadataValue.md(markdown_table(table))
        summary = [dict(rank=k + 1, **row) for k, row in enumerate(best.to_dicts())]
        meta.update(chart_metadata(scan_chart(summary, title=f"Top discoveries {run.sessions[-1]}"),
                                   charts_folder() / "scan" / f"{run.sessions[-1]}.png"))
    if run.issues.height:
        handled = run.issues.group_by("issue", "action").len().sort("len", descending=True)
        meta["data_issues"] = dg.MetadataValue.md(markdown_table(handled))
    return meta


@dg.asset(**DAILY, backfill_policy=dg.BackfillPolicy.single_run(), kinds={"postgres", "polars"},
          deps=[dg.AssetDep("daily_bars", partition_mapping=lookback_mapping(61)), "universe"],
          description="Rolling 60-session correlations: each symbol vs its sector and the market, the most and "
                      "least correlated pairs, and a sector heatmap.")
def correlations(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    run = write_correlations(warehouse.get(), sessions_of(context))
    latest = run.latest
    meta: dict[str, object] = {"dagster/row_count": run.rows, "symbols_dropped": run.dropped}
    if latest is not None:
        pairs = pl.concat([latest.top_pairs.head(5), latest.bottom_pairs.head(5)])
        meta["extreme_pairs"] = dg.MetadataValue.md(markdown_table(pairs))
        meta.update(chart_metadata(correlation_heatmap(latest.sector_matrix, latest.sectors,
                                                       title=f"Sector correlations, 60 sessions to {latest.session}"),
                                   charts_folder() / "correlations" / f"{latest.session}.png", label="heatmap"))
    return dg.MaterializeResult(metadata=meta)
