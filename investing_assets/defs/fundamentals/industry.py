"""Industry aggregation: one computation per session yields the sector/industry table and index valuations."""

import dagster as dg
import polars as pl

from investing_assets.defs.shared.metadata import chart_metadata, charts_folder, markdown_table
from investing_assets.defs.shared.partitions import sessions_of, trading_day
from investing_assets.defs.shared.resources import WarehouseResource
from investing_assets.lib.charts import sector_valuation_chart
from investing_assets.lib.services.industry import IndustryOutcome, write_industry_aggregates

GROUP = "fundamentals"
DAILY = dict(partitions_def=trading_day, group_name=GROUP)
_inputs = ["universe", "daily_bars", "indicators", "analyst_estimates", "index_constituents"]


@dg.multi_asset(
    specs=[
        dg.AssetSpec("industry_aggregates", deps=_inputs, kinds={"postgres", "polars"}, **DAILY,
                     description="Per sector and industry: members, market cap, cap-weighted 1- and 21-session "
                                 "returns, forward P/E, share above the 50-day SMA, EPS revision breadth."),
        dg.AssetSpec("index_valuations", deps=_inputs, kinds={"postgres", "polars"}, **DAILY,
                     description="World P/E: each index's forward P/E and earnings yield from its constituent "
                                 "weights and the consensus EPS of the coming fiscal year."),
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def industry_aggregation(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    run = write_industry_aggregates(warehouse.get(), sessions_of(context))
    for note in run.notes:
        context.log.warning(note)
    yield dg.MaterializeResult(asset_key="industry_aggregates", metadata=_aggregate_metadata(run))
    latest = run.latest(run.valuations) if run.valuations.height else pl.DataFrame()
    meta: dict[str, object] = {"dagster/row_count": run.valuations.height, "sessions": len(run.sessions)}
    if latest.height:
        meta["valuations"] = dg.MetadataValue.md(markdown_table(latest))
    yield dg.MaterializeResult(asset_key="index_valuations", metadata=meta)


def _aggregate_metadata(run: IndustryOutcome) -> dict[str, object]:
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
                                   charts_folder() / "industry" / f"{day}.png"))
    return meta
