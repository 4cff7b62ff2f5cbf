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
    shown = sectors.select("name", "members", "return_1d", "return_21d", "forward_pe", "pct_above_sma50",
                           "revision_breadth").sort("return_21d", descending=True, nulls_last=True)
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
