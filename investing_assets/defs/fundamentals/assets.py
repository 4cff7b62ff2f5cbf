"""Fundamentals assets: the analyst consensus per session."""

import dagster as dg

from investing_assets.defs.market.assets import universe
from investing_assets.defs.shared.metadata import written_metadata
from investing_assets.defs.shared.partitions import sessions_of, trading_day
from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
from investing_assets.lib.services.estimates import write_analyst_estimates

GROUP = "fundamentals"


@dg.asset(partitions_def=trading_day, backfill_policy=dg.BackfillPolicy.single_run(), group_name=GROUP,
          deps=[universe], kinds={"postgres", "polars"},
          description="Analyst consensus (revenue, EBITDA, net income, EPS: low/avg/high, analyst counts) for each "
                      "universe symbol's next fiscal years, as published on the session; shows the day's "
                      "largest EPS revisions.")
def analyst_estimates(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    written = write_analyst_estimates(market_data.get(), warehouse.get(), sessions_of(context))
    for note in written.notes:
        context.log.warning(note)
    return dg.MaterializeResult(metadata=written_metadata(written))
