"""What the fundamentals assets show in the UI, per session: the sector table and chart, the index valuations."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl

from investing_assets import settings
from investing_assets.defs.shared.metadata import (
    chart_metadata,
    charted,
    data_note,
    markdown_table,
    not_charted,
)
from investing_assets.lib.charts import sector_valuation_chart
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.services.industry import IndustryOutcome


def of_session(frame: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("session") == session).drop("session")


def run_metadata(run: IndustryOutcome) -> dict[str, object]:
    meta: dict[str, object] = {"price_basis": run.basis}
    if run.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in run.notes))
    return meta


def aggregate_metadata(run: IndustryOutcome, session: dt.date) -> dict[str, object]:
    """One session's sectors and industries, and the price basis of their returns."""
    rows = of_session(run.aggregates, session)
    sectors = rows.filter(pl.col("level") == "sector")
    meta: dict[str, object] = {"price_basis": run.basis, "sectors": sectors.height,
                               "industries": rows.height - sectors.height}
    if not sectors.height:
        return meta
    shown = sectors.select("name", "members", "return_1d", "return_21d", "forward_pe", "trailing_pe",
                           "price_to_book", "dividend_yield", "pct_above_sma50", "revision_breadth").sort("return_21d", descending=True, nulls_last=True)
    meta["sectors_table"] = dg.MetadataValue.md(markdown_table(shown))
    if charted(session, run.sessions):
        meta.update(chart_metadata(sector_valuation_chart(sectors, title=f"Sector forward P/E, {session}",
                                                          data_note=data_note(Dataset.BARS, Dataset.ESTIMATES)),
                                   settings.charts_folder() / "industry" / f"{session}.png"))
    else:
        meta.update(not_charted(run.sessions))
    return meta


def valuation_metadata(run: IndustryOutcome, session: dt.date) -> dict[str, object]:
    rows = of_session(run.valuations, session)
    return {"valuations": dg.MetadataValue.md(markdown_table(rows))} if rows.height else {}


def trailing_metadata(run: IndustryOutcome, session: dt.date) -> dict[str, object]:
    """How many members have trailing figures, the newest filing they stand on, the cheapest on trailing P/E."""
    rows = of_session(run.trailing, session) if run.trailing.height else run.trailing
    if not rows.height:
        return {"symbols_with_filings": 0}
    cheapest = rows.filter(pl.col("trailing_pe").is_not_null()).sort("trailing_pe").head(10).select(
        "symbol", "close", "trailing_eps", "trailing_pe", "price_to_book", "dividend_yield", "ttm_period_end",
        "filed", "accession")
    return {"symbols_with_filings": rows.height,
            "symbols_with_positive_ttm_eps": rows.filter(pl.col("trailing_eps") > 0).height,
            "newest_filing_used": str(rows.get_column("filed").max()),
            "lowest_trailing_pe": dg.MetadataValue.md(markdown_table(cheapest))}
