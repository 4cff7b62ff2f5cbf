"""What the fundamentals assets show in the UI: the newest session's sector table, chart and valuations."""

from __future__ import annotations

import dagster as dg
import polars as pl

from investing_assets import settings
from investing_assets.defs.shared.metadata import chart_metadata, markdown_table
from investing_assets.lib.charts import sector_valuation_chart
from investing_assets.lib.services.industry import IndustryOutcome


def aggregate_metadata(run: IndustryOutcome) -> dict[str, object]:
    latest = run.latest(run.aggregates)
    sectors = latest.filter(pl.col("level") == "sector")
    meta: dict[str, object] = {"dagster/row_count": run.aggregates.height, "sessions": len(run.sessions),
                               "sectors": sectors.height, "industries": latest.height - sectors.height}
    if run.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in run.notes))
    if sectors.height:
        shown = sectors.select("name", "members", "return_1d", "return_21d", "forward_pe", "pct_above_sma50",
                               "revision_breadth").sort("return_21d", descending=True, nulls_last=True)
        meta["sectors_table"] = dg.MetadataValue.md(markdown_table(shown))
        day = run.sessions[-1]
        meta.update(chart_metadata(sector_valuation_chart(sectors, title=f"Sector forward P/E, {day}"),
                                   settings.charts_folder() / "industry" / f"{day}.png"))
    return meta


def valuation_metadata(run: IndustryOutcome, latest: pl.DataFrame) -> dict[str, object]:
    meta: dict[str, object] = {"dagster/row_count": run.valuations.height, "sessions": len(run.sessions)}
    if latest.height:
        meta["valuations"] = dg.MetadataValue.md(markdown_table(latest))
    return meta
