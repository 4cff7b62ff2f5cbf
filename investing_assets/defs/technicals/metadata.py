"""What the technical assets show in the UI: tables of the newest session, and its charts."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl

from investing_assets import settings
from investing_assets.defs.shared.metadata import chart_metadata, data_note, markdown_table
from investing_assets.lib.analytics.correlations import CorrelationResult
from investing_assets.lib.charts import correlation_heatmap, scan_chart
from investing_assets.lib.services.scan import ScanOutcome


def scan_run_metadata(run: ScanOutcome) -> dict[str, object]:
    """The run's figures: how many symbols it scanned, whether Redis was refreshed, what the screen handled."""
    meta: dict[str, object] = {
        "symbols_scanned": run.symbols_scanned,
        "cache_refreshed": run.cached if run.cached is not None else "no cache",
        "price_basis": run.basis,
    }
    if run.issues.height:
        handled = run.issues.group_by("issue", "action").agg(symbols=pl.len()).sort("symbols", descending=True)
        meta["data_issues"] = dg.MetadataValue.md(markdown_table(handled))
    return meta


def discoveries_metadata(session: dt.date, best: pl.DataFrame, *, chart: bool) -> dict[str, object]:
    """One session's top discoveries, as a table and (when `chart`) a chart."""
    if not best.height:
        return {"top_discoveries": "none on this session"}
    table = best.select("symbol", "kind", "pattern", "direction", "level", "target", "confidence")
    meta: dict[str, object] = {"top_discoveries": dg.MetadataValue.md(markdown_table(table))}
    if chart:
        summary = [dict(rank=k + 1, **row) for k, row in enumerate(best.to_dicts())]
        meta.update(chart_metadata(scan_chart(summary, title=f"Top discoveries {session}", data_note=data_note()),
                                   settings.charts_folder() / "scan" / f"{session}.png"))
    return meta


def correlation_metadata(result: CorrelationResult, *, chart: bool) -> dict[str, object]:
    """One session's correlations: symbols left out, the extreme pairs, and (when `chart`) the sector heatmap."""
    pairs = pl.concat([result.top_pairs.head(5), result.bottom_pairs.head(5)])
    meta: dict[str, object] = {"symbols_dropped": result.dropped.height,
                               "extreme_pairs": dg.MetadataValue.md(markdown_table(pairs))}
    if chart:
        meta.update(chart_metadata(correlation_heatmap(result.sector_matrix, result.sectors,
                                                       title=f"Sector correlations, 60 sessions to {result.session}",
                                                       data_note=data_note()),
                                   settings.charts_folder() / "correlations" / f"{result.session}.png",
                                   label="heatmap"))
    return meta


def report_metadata(report) -> dict[str, object]:
    last = {k: report.last.get(k) for k in ("close", "sma_50", "sma_200", "rsi_14", "atr_14") if report.last}
    meta: dict[str, object] = {"as_of": report.as_of.isoformat(), "price_basis": report.basis,
                               "patterns": report.patterns.height,
                               "events": report.events.height, "window": report.window.describe(),
                               "drawn": dg.MetadataValue.json({"series": report.chart.series,
                                                               "markers": report.chart.markers}),
                               **{k: v for k, v in last.items() if v is not None}}
    if report.patterns.height:
        meta["pattern_table"] = dg.MetadataValue.md(markdown_table(report.patterns.select(
            "pattern", "direction", "start_session", "end_session", "breakout_level", "confidence")))
    if report.issues.height:
        meta["data_issues"] = dg.MetadataValue.md(markdown_table(report.issues.select("issue", "action", "reason")))
    return meta


def watchlist_metadata(cells: dict[str, dict[str, object]]) -> dict[str, object]:
    """The run's index of cells; each cell's own report is its own materialization."""
    rows = [{"cell": key, "patterns": meta["patterns"], "events": meta["events"], "chart": str(meta["chart_path"].value)}
            for key, meta in cells.items()]
    return {"run_cells": len(rows), "run_index": dg.MetadataValue.md(markdown_table(pl.DataFrame(rows)))}
