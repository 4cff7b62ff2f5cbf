"""What the fundamentals schedules launch."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import trading_day

analyst_estimates_update = dg.define_asset_job(
    "analyst_estimates_update", selection=dg.AssetSelection.assets(keys.ANALYST_ESTIMATES),
    partitions_def=trading_day, description="The analyst consensus snapshot for one session.",
)
industry_aggregation_update = dg.define_asset_job(
    "industry_aggregation_update",
    selection=dg.AssetSelection.assets(keys.INDUSTRY_AGGREGATES, keys.INDEX_VALUATIONS), partitions_def=trading_day,
    description="Sector and industry aggregates and index valuations for one session.",
)

JOBS = [analyst_estimates_update, industry_aggregation_update]
