"""What the technical assets show in the UI: tables of the newest session, and its charts."""

from __future__ import annotations

import dagster as dg
import polars as pl

from investing_assets import settings
from investing_assets.defs.shared.metadata import chart_metadata, markdown_table
from investing_assets.lib.charts import correlation_heatmap, scan_chart
from investing_assets.lib.services.correlations import CorrelationOutcome
from investing_assets.lib.services.scan import ScanOutcome
from investing_assets.lib.storage import names


def scan_metadata(run: ScanOutcome, best: pl.DataFrame) -> dict[str, object]:
    meta: dict[str, object] = {
        "dagster/row_count": run.rows[names.PATTERN_DISCOVERIES],
        "symbols_scanned": run.symbols_scanned,
        "sessions": len(run.sessions),
        "cache_refreshed": run.cached if run.cached is not None else "no cache",
    }
    if best.height:
        table = best.select("symbol", "kind", "pattern", "direction", "level", "target", "confidence")
        meta["top_discoveries"] = dg.MetadataValue.md(markdown_table(table))
        summary = [dict(rank=k + 1, **row) for k, row in enumerate(best.to_dicts())]
        meta.update(chart_metadata(scan_chart(summary, title=f"Top discoveries {run.sessions[-1]}"),
                                   settings.charts_folder() / "scan" / f"{run.sessions[-1]}.png"))
    if run.issues.height:
        handled = run.issues.group_by("issue", "action").len().sort("len", descending=True)
        meta["data_issues"] = dg.MetadataValue.md(markdown_table(handled))
    return meta


def correlation_metadata(run: CorrelationOutcome) -> dict[str, object]:
    latest = run.latest
    meta: dict[str, object] = {"dagster/row_count": run.rows, "symbols_dropped": run.dropped}
    if latest is not None:
        pairs = pl.concat([latest.top_pairs.head(5), latest.bottom_pairs.head(5)])
        meta["extreme_pairs"] = dg.MetadataValue.md(markdown_table(pairs))
        meta.update(chart_metadata(correlation_heatmap(latest.sector_matrix, latest.sectors,
                                                       title=f"Sector correlations, 60 sessions to {latest.session}"),
                                   settings.charts_folder() / "correlations" / f"{latest.session}.png",
                                   label="heatmap"))
    return meta


def report_metadata(report) -> dict[str, object]:
    last = {k: report.last.get(k) for k in ("close", "sma_50", "sma_200", "rsi_14", "atr_14") if report.last}
    meta: dict[str, object] = {"as_of": report.as_of.isoformat(), "patterns": report.patterns.height,
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


def watchlist_metadata(rows: list[dict], report, path) -> dict[str, object]:
    meta: dict[str, object] = {"reports": len(rows), "index": dg.MetadataValue.md(markdown_table(pl.DataFrame(rows)))}
    if report is not None:
        meta.update(chart_metadata(report.png, path, label=f"chart_{report.symbol}"))
    return meta
