"""Per-symbol technical reports: the universe-wide `symbol` partitions and the analyst's watchlist grid."""

import datetime as dt

import dagster as dg
import polars as pl

from investing_assets.defs.shared.metadata import chart_metadata, charts_folder, markdown_table
from investing_assets.defs.shared.partitions import symbol, watchlist_grid
from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.services.planted import write_planted_patterns
from investing_assets.lib.services.reports import symbol_report_inputs
from investing_assets.lib.services.reports import technical_report as build_report

GROUP = "technicals"


def _report_metadata(report) -> dict[str, object]:
    last = {k: report.last.get(k) for k in ("close", "sma_50", "sma_200", "rsi_14", "atr_14") if report.last}
    meta: dict[str, object] = {"as_of": report.as_of.isoformat(), "patterns": report.patterns.height,
                               "events": report.events.height, **{k: v for k, v in last.items() if v is not None}}
    if report.patterns.height:
        meta["pattern_table"] = dg.MetadataValue.md(markdown_table(report.patterns.select(
            "pattern", "direction", "start_session", "end_session", "breakout_level", "confidence")))
    if report.issues.height:
        meta["data_issues"] = dg.MetadataValue.md(markdown_table(report.issues.select("issue", "action", "reason")))
    return meta


@dg.asset(partitions_def=symbol, group_name=GROUP, kinds={"matplotlib", "postgres"},
          deps=[dg.AssetDep("daily_bars", partition_mapping=dg.LastPartitionMapping())],
          description="One symbol's chart: candles, SMA 50/200, Bollinger bands, volume, RSI, and every "
                      "detected pattern with its key points and breakout level (PNG, also under .investing/charts).")
def technical_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    store = warehouse.get()
    as_of = last_closed_session()
    bars, indicators = symbol_report_inputs(store, context.partition_key, as_of)
    report = build_report(context.partition_key, bars, bars.get_column("session").max() if bars.height else as_of,
                          indicators)
    path = charts_folder() / "symbols" / f"{report.symbol}.png"
    return dg.MaterializeResult(metadata={**_report_metadata(report), **chart_metadata(report.png, path)})


@dg.asset(partitions_def=watchlist_grid, group_name=GROUP, kinds={"matplotlib", "postgres"},
          backfill_policy=dg.BackfillPolicy.single_run(),
          deps=[dg.AssetDep("daily_bars", partition_mapping=dg.MultiToSingleDimensionPartitionMapping("date"))],
          description="The watchlist's deep-dive grid (date x symbol): the technical report as of that date, "
                      "from bars up to it only.")
def watchlist_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """A schedule asks for a whole day's watchlist as one run (range DATE|FIRST ... DATE|LAST)."""
    store = warehouse.get()
    rows, report, path = [], None, None
    for key in context.partition_keys:
        day_key, name = key.split("|")
        day = dt.date.fromisoformat(day_key)
        bars, indicators = symbol_report_inputs(store, name, day)
        report = build_report(name, bars, day, indicators)
        path = charts_folder() / "watchlist" / day_key / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(report.png)
        rows.append({"date": day_key, "symbol": name, "patterns": report.patterns.height,
                     "events": report.events.height, "chart": str(path)})
    meta: dict[str, object] = {"reports": len(rows), "index": dg.MetadataValue.md(markdown_table(pl.DataFrame(rows)))}
    if report is not None:
        meta.update(chart_metadata(report.png, path, label=f"chart_{report.symbol}"))
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="market", kinds={"postgres"},
          description="The demo market's planted chart patterns (type, start, completion, amplitude): ground "
                      "truth for the detectors' precision and recall; empty for real sources.")
def demo_planted_patterns(market_data: MarketDataResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    rows = write_planted_patterns(market_data.get(), warehouse.get())
    return dg.MaterializeResult(metadata={"dagster/row_count": rows or 0,
                                          "note": "source plants no patterns" if rows is None else "demo ground truth"})
